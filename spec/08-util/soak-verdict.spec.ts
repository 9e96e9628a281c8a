// The soak's RSS verdict: samples from a tenth of the run on, judged against their median.
import { expect } from 'chai';
import { judgeRss } from '../../bench/lib/soak';

const series = (rss: readonly number[]): Array<{ seconds: number; rssMb: number; cpuPercent: number }> =>
  rss.map((rssMb, i) => ({ seconds: i * 10, rssMb, cpuPercent: 100 }));

describe('08-util the soak\'s RSS verdict', () => {
  it('judges a sawtooth against its median, wherever the first judged sample falls on it', () => {
    // 0 s warm-up sample left out (a tenth of 100 s is 10 s); the rest swings 100 ↔ 124 with no trend.
    const verdict = judgeRss(series([60, 100, 124, 100, 124, 100, 124, 100, 124, 100, 124]), 100);
    expect(verdict.referenceRssMb).to.equal(112);   // median of five 100s and five 124s
    expect(verdict.maxDeviationPercent).to.be.closeTo(10.71, 0.01);
    expect(verdict.flat).to.equal(false);
    const shifted = judgeRss(series([60, 124, 100, 124, 100, 124, 100, 124, 100, 124, 100]), 100);
    expect(shifted.referenceRssMb).to.equal(verdict.referenceRssMb);
    expect(shifted.maxDeviationPercent).to.equal(verdict.maxDeviationPercent);
  });

  it('calls a small swing flat and shows a leak as a trend of the last third', () => {
    const steady = judgeRss(series([50, 100, 104, 98, 103, 100, 97, 102, 100, 101]), 90);
    expect(steady.flat).to.equal(true);
    expect(steady.maxDeviationPercent).to.be.closeTo(4, 0.01);
    const leaking = judgeRss(series([50, 100, 105, 110, 115, 120, 125, 130, 135, 140]), 90);
    expect(leaking.referenceRssMb).to.equal(120);
    expect(leaking.lastThirdTrendPercent).to.be.closeTo(((135 - 120) / 120) * 100, 0.01);
    expect(leaking.flat).to.equal(false);
  });
});
