// The gateway's header map (src/proxy/header-map.ts): ordered, case-insensitive, multi-valued,
// and lazy over node's rawHeaders until read by name.
import { expect } from 'chai';
import { FieldNameSet, OrderedHeaderMap } from '../../src/proxy/header-map';

/** Every field of the map's flat lists, in the order they are read. */
function flat(map: OrderedHeaderMap): string[] {
  return map.flatLists().flat();
}

describe('05-proxy header map', () => {
  const raw = ['Host', 'a.test', 'Accept', 'x/y', 'X-Multi', '1', 'x-multi', '2', 'Cookie', 'c=1'];

  it('counts header lines, a repeated header once per value, before and after indexing', () => {
    const map = OrderedHeaderMap.fromRaw(raw);
    expect(map.lineCount).to.equal(5);
    expect(map.getAll('X-MULTI')).to.deep.equal(['1', '2']);
    expect(map.lineCount).to.equal(5);
    map.add('X-Multi', '3');
    map.set('Accept', ['a', 'b']);
    map.delete('cookie');
    expect(map.lineCount).to.equal(6);
    map.clear();
    expect(map.lineCount).to.equal(0);
  });

  it('keeps the raw order for an untouched map and groups by first-seen name once edited', () => {
    const map = OrderedHeaderMap.fromRaw(raw);
    expect(map.flatLists()).to.have.length(1);
    expect(map.flatLists()[0]).to.equal(raw);
    map.set('Host', 'b.test');
    expect(flat(map)).to.deep.equal(['Host', 'b.test', 'Accept', 'x/y', 'X-Multi', '1', 'X-Multi', '2', 'Cookie', 'c=1']);
  });

  it('adding names it lacks keeps the original list (order, repeats) and puts the additions after it', () => {
    const interleaved = ['A', '1', 'B', '2', 'a', '3'];
    const map = OrderedHeaderMap.fromRaw(interleaved);
    map.set('X-New', 'n1');
    map.add('X-Other', 'o');
    map.delete('X-Absent');
    expect(flat(map)).to.deep.equal(['A', '1', 'B', '2', 'a', '3', 'X-New', 'n1', 'X-Other', 'o']);
    expect(map.lineCount).to.equal(5);
    expect([map.lookup('a'), map.lookup('X-NEW'), map.lookup('x-other'), map.lookup('none')]).to.deep.equal([['1', '3'], 'n1', 'o', undefined]);
    map.set('x-new', ['n2', 'n3']);
    expect(map.getAll('X-NEW')).to.deep.equal(['n2', 'n3']);
    expect([map.lookup('x-new'), map.lookup('b'), map.lookup('X-Absent')]).to.deep.equal([['n2', 'n3'], '2', undefined]);
    expect(map.get('a')).to.equal('1');
    expect(flat(map)).to.deep.equal(['A', '1', 'A', '3', 'B', '2', 'X-New', 'n2', 'X-New', 'n3', 'X-Other', 'o']);
  });

  it('setting or deleting a name the list has edits it in place (any case)', () => {
    const map = OrderedHeaderMap.fromRaw(['Host', 'h', 'Accept', 'a']);
    map.set('HOST', 'h2');
    map.delete('accept');
    expect(flat(map)).to.deep.equal(['Host', 'h2']);
    expect(map.size).to.equal(1);
  });
  it('FieldNameSet finds a member by a name in any case, and nothing else', () => {
    const names = new FieldNameSet(['connection', 'keep-alive', 'te', 'x-forwarded-for']);
    expect(['Connection', 'KEEP-ALIVE', 'te', 'X-Forwarded-For'].map((n) => names.find(n)))
      .to.deep.equal(['connection', 'keep-alive', 'te', 'x-forwarded-for']);
    expect(['Connectio', 'User-Agent', 'tE2', '', 'x-forwarded-fox'].map((n) => names.find(n))).to.deep.equal([null, null, null, null, null]);
  });
});
