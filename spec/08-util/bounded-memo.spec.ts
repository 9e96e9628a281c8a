// src/util/bounded-memo.ts: computed once per key, null remembered too, and bounded.
import { expect } from 'chai';
import { BoundedMemo } from '../../src/util/bounded-memo';

describe('08-util bounded memo', () => {
  it('computes a key once, remembers null results, and starts over at its limit', () => {
    const calls: string[] = [];
    const memo = new BoundedMemo<string, string | null>(2);
    const compute = (key: string): string | null => { calls.push(key); return key === 'none' ? null : key.toUpperCase(); };
    expect(memo.get('a', compute)).to.equal('A');
    expect(memo.get('a', compute)).to.equal('A');
    expect(memo.get('none', compute)).to.equal(null);
    expect(memo.get('none', compute)).to.equal(null);
    expect(calls).to.deep.equal(['a', 'none']);
    expect(memo.get('b', compute)).to.equal('B');   // full: the table starts over with 'b'
    expect(memo.get('a', compute)).to.equal('A');
    expect(calls).to.deep.equal(['a', 'none', 'b', 'a']);
  });
});
