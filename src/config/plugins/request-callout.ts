// request-callout's plugin-level checks that Kong's exported schema cannot express: unique
// callout names, depends_on integrity, Lua syntax of by_lua, template compilation, literal
// URLs, the error_response_code range and untrusted_lua = off.
import { checkLuaSyntax } from '../../lua/syntax';
import { checkTemplate } from '../../template/check';
import type { CodeSite, PlainObject } from '../kong-schema/normalize';
import { isPlainObject } from '../kong-schema/normalize';
import type { Path } from '../path';
import { literalHttpUrlError } from '../url';
import type { PluginCheckContext } from './binding';
import { BoundedMemo } from '../../util/bounded-memo';

export const UNTRUSTED_LUA_OFF_MESSAGE =
  "loading of untrusted Lua code disabled because 'untrusted_lua' config option is set to 'off'";

/** The chunk name Kong gives request-callout snippets in error messages. */
export const REQUEST_CALLOUT_CHUNK_NAME = 'request-callout';

const hasExpression = (text: string): boolean => text.includes('$(');

/** Snippets repeat across routes; their check results are pure, so keep a bounded memo. */
const MEMO_LIMIT = 20_000;
const memo = new BoundedMemo<string, string | null>(MEMO_LIMIT);

function memoized(kind: string, text: string, check: () => string | null): string | null {
  return memo.get(`${kind}\0${text}`, check);
}

export function checkRequestCalloutConfig(config: unknown, context: PluginCheckContext): void {
  for (const site of context.sites) checkCodeSite(site, context);
  if (!isPlainObject(config) || !Array.isArray(config.callouts)) return;
  const callouts = config.callouts.filter(isPlainObject);
  const calloutsPath: Path = [...context.configPath, 'callouts'];
  checkUniqueNames(callouts, calloutsPath, context);
  checkDependencies(callouts, calloutsPath, context);
  callouts.forEach((callout, index) => checkErrorResponseCode(callout, [...calloutsPath, index], context));
}

function checkCodeSite(site: CodeSite, context: PluginCheckContext): void {
  const isLua = site.check === 'lua' || hasExpression(site.value);
  if (isLua && context.untrustedLua === 'off') {
    context.issues.add(site.path, UNTRUSTED_LUA_OFF_MESSAGE);
    return;
  }
  let error: string | null = null;
  if (site.check === 'lua') {
    const syntax = memoized('lua', site.value, () => checkLuaSyntax(site.value, REQUEST_CALLOUT_CHUNK_NAME));
    error = syntax === null ? null : `syntax error in by_lua: ${syntax}`;
  } else if (site.check === 'url' && !hasExpression(site.value)) {
    error = literalHttpUrlError(site.value);
  } else {
    const template = memoized('template', site.value, () => checkTemplate(site.value, REQUEST_CALLOUT_CHUNK_NAME));
    error = template === null ? null : `invalid template: ${template}`;
  }
  if (error !== null) context.issues.add(site.path, error);
}

function checkUniqueNames(callouts: PlainObject[], path: Path, context: PluginCheckContext): void {
  const firstIndex = new Map<string, number>();
  callouts.forEach((callout, index) => {
    if (typeof callout.name !== 'string') return;
    const previous = firstIndex.get(callout.name);
    if (previous === undefined) {
      firstIndex.set(callout.name, index);
    } else {
      context.issues.add([...path, index, 'name'], `duplicate callout name '${callout.name}' (already used by callout ${previous + 1})`);
    }
  });
}

function checkDependencies(callouts: PlainObject[], path: Path, context: PluginCheckContext): void {
  const names = new Set(callouts.map((callout) => callout.name).filter((name): name is string => typeof name === 'string'));
  const edges = new Map<string, string[]>();
  callouts.forEach((callout, index) => {
    const name = callout.name;
    if (typeof name !== 'string' || !Array.isArray(callout.depends_on)) return;
    const valid: string[] = [];
    callout.depends_on.forEach((dependency: unknown, position: number) => {
      if (typeof dependency !== 'string') return;
      const where = [...path, index, 'depends_on', position];
      if (dependency === name) context.issues.add(where, `callout '${name}' depends on itself`);
      else if (!names.has(dependency)) context.issues.add(where, `callout '${name}' depends on unknown callout '${dependency}'`);
      else valid.push(dependency);
    });
    edges.set(name, [...(edges.get(name) ?? []), ...valid]);
  });
  for (const cycle of findCycles(edges)) {
    context.issues.add(path, `dependency cycle between callouts: ${[...cycle, cycle[0]].map((n) => `'${n}'`).join(' -> ')}`);
  }
}

/** Each elementary cycle reported once, starting from its first node in configuration order. */
function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'visiting') cycles.push(stack.slice(stack.indexOf(next)));
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

function checkErrorResponseCode(callout: PlainObject, path: Path, context: PluginCheckContext): void {
  const request = callout.request;
  if (!isPlainObject(request) || !isPlainObject(request.error)) return;
  const code = request.error.error_response_code;
  if (typeof code === 'number' && Number.isInteger(code) && (code < 100 || code > 599)) {
    context.issues.add([...path, 'request', 'error', 'error_response_code'], 'value should be between 100 and 599');
  }
}
