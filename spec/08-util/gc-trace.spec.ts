import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fullCollections, liveHeapTrend } from '../../bench/lib/gc-trace';

describe('08-util the soak\'s reader of V8 --trace-gc output', () => {
  it('finds every full collection of a real node process and the heap each one left', () => {
    // Four forced full collections, each with more kept alive than the last.
    const script = 'const keep = []; for (let i = 0; i < 4; i++) { for (let j = 0; j < 50000; j++) keep.push({ j }); global.gc(); }';
    const run = spawnSync(process.execPath, ['--trace-gc', '--expose-gc', '-e', script], { encoding: 'utf8' });
    expect(run.status).to.equal(0);
    const collections = fullCollections(run.stdout);
    expect(collections.length).to.be.at.least(4);
    const forced = collections.slice(-4);
    for (let i = 1; i < forced.length; i++) {
      expect(forced[i].atMs).to.be.at.least(forced[i - 1].atMs);
      expect(forced[i].afterMb).to.be.greaterThan(forced[i - 1].afterMb);
    }
    expect(liveHeapTrend(forced, 0)?.trendPercent).to.be.greaterThan(0);
  });

  it('compares the last third of the collections with the first, from a start time on', () => {
    const at = (atMs: number, afterMb: number) => ({ atMs, afterMb });
    const flat = [at(100, 99), at(1000, 40), at(2000, 41), at(3000, 40), at(4000, 39), at(5000, 41), at(6000, 40)];
    expect(liveHeapTrend(flat, 500)).to.deep.equal({ collections: 6, firstAfterMb: 40, lastAfterMb: 40, trendPercent: 0 });
    const growing = [at(1000, 40), at(2000, 44), at(3000, 48), at(4000, 52), at(5000, 56), at(6000, 60)];
    expect(liveHeapTrend(growing, 0)?.trendPercent).to.equal(((58 - 42) / 42) * 100);
    expect(liveHeapTrend(growing.slice(0, 2), 0)).to.equal(null);
  });
});
