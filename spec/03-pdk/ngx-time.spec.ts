// ngx time functions. Fixed-instant formats are checked against OpenResty's documented outputs;
// clock readings are checked for shape and consistency (no timing assertions).
import { expect } from 'chai';
import { ngxHarness } from './ngx-harness';
import { cookieTime, httpTime, parseHttpTime } from '../../src/pdk/ngx/time';

describe('ngx time (real VM)', () => {
  const h = ngxHarness();

  it('http_time and cookie_time format a given instant as nginx does', async () => {
    expect(await h.values('return ngx.http_time(1290079655), ngx.cookie_time(1290079655)'))
      .to.deep.equal(['Thu, 18 Nov 2010 11:27:35 GMT', 'Thu, 18-Nov-10 11:27:35 GMT']);
    expect(await h.values('return ngx.http_time(0), ngx.http_time(1290079655.9)'))
      .to.deep.equal(['Thu, 01 Jan 1970 00:00:00 GMT', 'Thu, 18 Nov 2010 11:27:35 GMT']);
    // nginx writes four-digit years in cookie times after 2037.
    expect(cookieTime(2240611200)).to.equal('Tue, 01-Jan-2041 00:00:00 GMT');
    expect(httpTime(2240611200)).to.equal('Tue, 01 Jan 2041 00:00:00 GMT');
  });

  it('http_time and cookie_time accept numbers only', async () => {
    expect(await h.error('return ngx.http_time("1290079655")')).to.include('number argument only');
    expect(await h.error('return ngx.cookie_time(nil)')).to.include('number argument only');
  });

  it('parse_http_time reads RFC 1123, RFC 850 and asctime dates, nil otherwise', async () => {
    expect(await h.values('return ngx.parse_http_time("Thu, 18 Nov 2010 11:27:35 GMT")')).to.deep.equal([1290079655]);
    expect(parseHttpTime('Thursday, 18-Nov-10 11:27:35 GMT')).to.equal(1290079655);
    expect(parseHttpTime('Thu Nov 18 11:27:35 2010')).to.equal(1290079655);
    expect(await h.values('return ngx.parse_http_time("yesterday"), ngx.parse_http_time("Thu, 31 Feb 2010 11:27:35 GMT")'))
      .to.deep.equal([null, null]);
    expect(await h.error('return ngx.parse_http_time(1)')).to.include('string argument only');
  });

  it('round-trips http_time through parse_http_time', async () => {
    expect(await h.values('local t = 1700000000 return ngx.parse_http_time(ngx.http_time(t)) == t')).to.deep.equal([true]);
  });

  it('time/now are cached within a turn, now has millisecond precision, update_time refreshes', async () => {
    const before = Math.floor(Date.now() / 1000);
    const [t1, t2, n1, n2, fractionDigits, same, after] = await h.values(`
      local t1, n1 = ngx.time(), ngx.now()
      for i = 1, 20000 do local _ = i * 2 end
      local t2, n2 = ngx.time(), ngx.now()
      local frac = tostring(n1):match("%.(%d+)$") or ""
      ngx.update_time()
      return t1, t2, n1, n2, #frac, ngx.time() == math.floor(ngx.now()), ngx.now() >= n1`);
    const afterNow = Math.floor(Date.now() / 1000);
    expect(t1).to.equal(t2);
    expect(n1).to.equal(n2);
    expect(t1 as number).to.be.within(before, afterNow);
    expect(Math.floor(n1 as number)).to.equal(t1);
    expect(fractionDigits as number).to.be.at.most(3);
    expect(same).to.equal(true);
    expect(after).to.equal(true);
  });

  it('today, localtime and utctime use nginx formats', async () => {
    const [today, local, utc] = await h.values('return ngx.today(), ngx.localtime(), ngx.utctime()') as string[];
    expect(today).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(local).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(utc).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(local.slice(0, 10)).to.equal(today);
    const utcMs = Date.parse(`${utc.replace(' ', 'T')}Z`);
    expect(Math.abs(utcMs - Date.now())).to.be.below(60_000);
  });
});
