// Execution order of callouts: a stable topological sort of depends_on (among callouts whose
// dependencies are done, the one earliest in the configuration runs first).
import { CalloutConfigError } from './errors';

export interface CalloutOrder {
  /** Indexes into `callouts`, in the order they run sequentially. */
  readonly sequence: readonly number[];
  /** For each callout index, the indexes it waits for (parallel mode). */
  readonly dependencies: ReadonlyArray<readonly number[]>;
}

export function planOrder(callouts: ReadonlyArray<{ readonly name: string; readonly depends_on: readonly string[] }>): CalloutOrder {
  const indexByName = new Map<string, number>();
  callouts.forEach((c, i) => indexByName.set(c.name, i));
  const dependencies = callouts.map((c, i) => c.depends_on.map((name) => {
    const index = indexByName.get(name);
    if (index === undefined || index === i) {
      throw new CalloutConfigError(`callouts[${i + 1}].depends_on`, `callout '${c.name}' cannot depend on '${name}'`);
    }
    return index;
  }));
  const done = new Array<boolean>(callouts.length).fill(false);
  const sequence: number[] = [];
  while (sequence.length < callouts.length) {
    const next = dependencies.findIndex((deps, i) => !done[i] && deps.every((d) => done[d]));
    if (next < 0) throw new CalloutConfigError('callouts', 'dependency cycle between callouts');
    done[next] = true;
    sequence.push(next);
  }
  return { sequence, dependencies };
}
