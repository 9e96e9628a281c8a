// Config strings that become property keys on the request path are interned once, at load: a
// string sliced out of a YAML file or a structured clone is not, and V8 then searches its string
// table on every keyed access with it (util/interned.ts).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { interned, internStrings } from '../../src/util/interned';

describe('08-util interned strings', () => {
  it('interned returns an equal string, for names, integer-like text, the empty string and __proto__', () => {
    for (const text of ['auth', 'x'.repeat(300), '12', '', '__proto__', 'constructor', 'héllo ✓']) {
      expect(interned(text)).to.equal(text);
    }
  });

  it('internStrings keeps every value of a document, reaches shared and cyclic nodes once, leaves bytes and class instances alone', () => {
    const shared = { name: 'c1', tags: ['a', 'b'] };
    const bytes = new Uint8Array([1, 2]);
    const when = new Date(0);
    const document: Record<string, unknown> = { list: [shared, shared, 'top', 3, null, true], bytes, when, nested: { deep: { s: 'v' } } };
    document.self = document;
    const out = internStrings(document) as typeof document;
    expect(out).to.equal(document);
    expect(out.list).to.deep.equal([{ name: 'c1', tags: ['a', 'b'] }, { name: 'c1', tags: ['a', 'b'] }, 'top', 3, null, true]);
    expect(out.bytes).to.equal(bytes);
    expect(out.when).to.equal(when);
    expect((out.nested as { deep: { s: string } }).deep.s).to.equal('v');
    expect(out.self).to.equal(out);
    expect(internStrings('text')).to.equal('text');
    expect(internStrings(7)).to.equal(7);
  });

  it('a snapshot built from YAML holds interned strings, as do template field-path keys (V8 marks them # in %DebugPrint)', () => {
    const dist = path.join(__dirname, '..', '..', 'src');
    const script = `
      const D = ${JSON.stringify(dist)};
      const { defaultSettings, parseDeclarativeConfig } = require(D + '/config');
      const { buildSnapshot } = require(D + '/config/snapshot');
      const { parseFieldPath } = require(D + '/template/fast-path');
      const yaml = '_format_version: "3.0"\\nservices:\\n  - name: svc-one\\n    url: http://127.0.0.1:9/x\\n';
      const settings = defaultSettings();
      const snapshot = buildSnapshot(parseDeclarativeConfig(yaml, settings).config, settings, new Map(), null);
      const sliced = 'xx' + 'svc-sliced'.slice(0, 7);
      %DebugPrint(sliced);
      %DebugPrint(snapshot.services[0].name);
      %DebugPrint(parseFieldPath('callouts.auth["re-sp"].body').keys[1]);`;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
    const printed = out.split('\n').filter((line) => line.startsWith('DebugPrint:')).map((line) => line.replace(/^.*\]( in \w+)?: /, ''));
    expect(printed).to.deep.equal(['"xxsvc-sli"', '#svc-one', '#re-sp']);
  });
});
