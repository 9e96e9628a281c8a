import { expect } from 'chai';
import { createCalloutCache, type CachedEntry, type CalloutCache } from '../../src/cache';
import { collectingLogger, pollUntil } from './support';

describe('cache: memory strategy', () => {
  const opened: CalloutCache[] = [];
  const memory = (dictionary_name: string): CalloutCache => {
    const cache = createCalloutCache({ strategy: 'memory', memory: { dictionary_name } }, collectingLogger().log);
    if (cache === undefined) throw new Error('memory strategy returned no cache');
    opened.push(cache);
    return cache;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  it('returns undefined for strategy off', () => {
    expect(createCalloutCache({ strategy: 'off' }, collectingLogger().log)).to.equal(undefined);
  });

  it('stores and returns an entry with headers and a decoded JSON body', async () => {
    const cache = memory('mem-basic');
    const entry: CachedEntry = { status: 200, headers: { 'Content-Type': 'application/json', 'Set-Cookie': ['a=1', 'b=2'] },
      body: { user: { id: 7, tags: ['x', 'y'] }, ok: true, none: null } };
    await cache.set('request-callout:k1', entry, 60);
    expect(await cache.get('request-callout:k1')).to.deep.equal(entry);
    expect(await cache.get('request-callout:other')).to.equal(undefined);
  });

  it('answers get() synchronously, hit or miss (the plugin finishes a hit without a promise)', async () => {
    const cache = memory('mem-sync');
    await cache.set('request-callout:now', { status: 201 }, 60);
    expect(cache.get('request-callout:now')).to.deep.equal({ status: 201 });
    expect(cache.get('request-callout:missing')).to.equal(undefined);
  });

  it('keeps string bodies exactly, including byte-per-char binary strings', async () => {
    const cache = memory('mem-strings');
    const binary = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    await cache.set('request-callout:bin', { status: 200, body: binary }, 60);
    const hit = await cache.get('request-callout:bin');
    expect(hit?.body).to.equal(binary);
  });

  it('round-trips byte bodies as a Buffer', async () => {
    const cache = memory('mem-bytes');
    const bytes = Uint8Array.from([0, 255, 128, 10, 13, 0x22]);
    await cache.set('request-callout:bytes', { status: 201, body: bytes }, 60);
    const hit = await cache.get('request-callout:bytes');
    expect(Buffer.isBuffer(hit?.body)).to.equal(true);
    expect([...(hit?.body as Buffer)]).to.deep.equal([...bytes]);
  });

  it('hands out read-only entries: a returned entry is frozen, and the stored original can change freely', async () => {
    const cache = memory('mem-clone');
    const original: CachedEntry = { status: 200, headers: { a: '1' }, body: { list: [1, 2] } };
    await cache.set('request-callout:c', original, 60);
    (original.body as { list: number[] }).list.push(3);
    const first = await cache.get('request-callout:c');
    expect(() => (first!.body as { list: number[] }).list.push(4)).to.throw(TypeError);
    expect(() => { first!.headers!.a = 'changed'; }).to.throw(TypeError);
    const second = await cache.get('request-callout:c');
    expect(second).to.deep.equal({ status: 200, headers: { a: '1' }, body: { list: [1, 2] } });
  });

  it('shares one dictionary between instances naming it and isolates different names', async () => {
    const a = memory('dict-a');
    const a2 = memory('dict-a');
    const b = memory('dict-b');
    await a.set('request-callout:shared', { status: 200, body: 'from a' }, 60);
    expect((await a2.get('request-callout:shared'))?.body).to.equal('from a');
    expect(await b.get('request-callout:shared')).to.equal(undefined);
  });

  it('keeps a dictionary alive while another instance still uses it', async () => {
    const a = memory('dict-refcount');
    const a2 = memory('dict-refcount');
    await a.set('request-callout:r', { status: 204 }, 60);
    await a.close();
    expect(await a2.get('request-callout:r')).to.deep.equal({ status: 204 });
  });

  it('expires entries after their ttl', async () => {
    const cache = memory('mem-ttl');
    await cache.set('request-callout:short', { status: 200, body: 'soon gone' }, 1);
    await cache.set('request-callout:long', { status: 200, body: 'stays' }, 60);
    expect((await cache.get('request-callout:short'))?.body).to.equal('soon gone');
    const after = await pollUntil(() => cache.get('request-callout:short'), (v) => v === undefined, 5000);
    expect(after).to.equal(undefined);
    expect((await cache.get('request-callout:long'))?.body).to.equal('stays');
  });

  it('drops entries that cannot be encoded, with a warning, without rejecting', async () => {
    const logger = collectingLogger();
    const cache = createCalloutCache({ strategy: 'memory', memory: { dictionary_name: 'mem-bad' } }, logger.log)!;
    opened.push(cache);
    await cache.set('request-callout:bad', { status: 200, body: { n: 1n } as never }, 60);
    expect(await cache.get('request-callout:bad')).to.equal(undefined);
    expect(logger.lines).to.have.length(1);
    expect(logger.lines[0][0]).to.equal('warn');
    expect(logger.lines[0][1]).to.match(/request-callout:bad.*not JSON-serialisable/);
  });

  describe('size bound (mem_cache_size)', () => {
    // Each of these entries encodes to the same length; the bound below holds exactly two of them.
    const entry = (n: number): CachedEntry => ({ status: 200, body: `value-${n}-${'x'.repeat(40)}` });
    const encodedLength = JSON.stringify({ v: 1, s: 200, k: 't', b: entry(1).body }).length;
    const bounded = (name: string, logger = collectingLogger()): CalloutCache => {
      const cache = createCalloutCache({ strategy: 'memory', memory: { dictionary_name: name } }, logger.log,
        { memoryBytes: encodedLength * 2 })!;
      opened.push(cache);
      return cache;
    };

    it('evicts the least recently used entry when a new one does not fit', async () => {
      const cache = bounded('mem-lru');
      await cache.set('request-callout:1', entry(1), 60);
      await cache.set('request-callout:2', entry(2), 60);
      expect((await cache.get('request-callout:1'))?.body).to.equal(entry(1).body);   // 1 is now the most recent
      await cache.set('request-callout:3', entry(3), 60);
      expect(await cache.get('request-callout:2')).to.equal(undefined);
      expect((await cache.get('request-callout:1'))?.body).to.equal(entry(1).body);
      expect((await cache.get('request-callout:3'))?.body).to.equal(entry(3).body);
    });

    it('replacing an entry does not count it twice', async () => {
      const cache = bounded('mem-replace');
      await cache.set('request-callout:a', entry(1), 60);
      await cache.set('request-callout:a', entry(2), 60);
      await cache.set('request-callout:b', entry(3), 60);
      expect((await cache.get('request-callout:a'))?.body).to.equal(entry(2).body);
      expect((await cache.get('request-callout:b'))?.body).to.equal(entry(3).body);
    });

    it('refuses an entry larger than the whole dictionary, with a warning, and keeps the others', async () => {
      const logger = collectingLogger();
      const cache = bounded('mem-huge', logger);
      await cache.set('request-callout:small', entry(1), 60);
      await cache.set('request-callout:huge', { status: 200, body: 'y'.repeat(encodedLength * 3) }, 60);
      expect(await cache.get('request-callout:huge')).to.equal(undefined);
      expect((await cache.get('request-callout:small'))?.body).to.equal(entry(1).body);
      expect(logger.warnings().join('\n')).to.match(/larger than mem_cache_size/);
    });
  });
});
