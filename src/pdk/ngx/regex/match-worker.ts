// The thread isolated-matcher.ts runs expensive matches on: it can be terminated mid-match, which
// the main thread cannot. Jobs arrive on the port handed over at start; each answer is posted
// back, then flagged in the shared signal the main thread is waiting on.
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { IsolatedJob, IsolatedMatch, IsolatedReply } from './isolated-matcher';

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
const compiled = new Map<string, RegExp>();
const CACHE_LIMIT = 256;
let text = '';

function regexOf(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let re = compiled.get(key);
  if (re === undefined) {
    re = new RegExp(source, flags);
    if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, re);
  }
  return re;
}

function found(m: RegExpExecArray): IsolatedMatch {
  return { index: m.index, groups: [...m], indices: m.indices ? [...m.indices] : undefined, named: m.groups ? { ...m.groups } : undefined };
}

/** Every match from `from` on, stepping past empty matches by one character (as gsub does). */
function allMatches(re: RegExp, from: number): IsolatedMatch[] {
  const matches: IsolatedMatch[] = [];
  let position = from;
  while (position <= text.length) {
    re.lastIndex = position;
    const m = re.exec(text);
    if (m === null) break;
    matches.push(found(m));
    const end = m.index + m[0].length;
    position = end > m.index ? end : end + (isSurrogatePairAt(end) ? 2 : 1);
  }
  return matches;
}

function isSurrogatePairAt(index: number): boolean {
  const unit = text.charCodeAt(index);
  return unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length;
}

port.on('message', (job: IsolatedJob) => {
  if (job.text !== undefined) text = job.text;
  const re = regexOf(job.source, job.flags);
  let reply: IsolatedReply;
  if (job.all) {
    reply = allMatches(re, job.lastIndex);
  } else {
    re.lastIndex = job.lastIndex;
    const m = re.exec(text);
    reply = m === null ? null : found(m);
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
Atomics.store(signal, 1, 1);
Atomics.notify(signal, 1);
