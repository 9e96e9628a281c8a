// Field names added to undici's table of known names: valid tokens only, bounded, and requests
// sent with registered names carry exactly the names, case and values they were given.
import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import {
  headerNameRegistry, headerNamesRegistrable, knownLowerCase, registerHeaderNames, type NameTable,
} from '../../src/util/undici-header-names';

describe('08-util undici header names', () => {
  it("finds undici's table of known names (the optimisation is lost if an upgrade drops it)", () => {
    expect(headerNamesRegistrable).to.equal(true);
    expect(knownLowerCase('Content-Type')).to.equal('content-type');
  });

  it('registers valid tokens under their lower-case name, never anything else', () => {
    registerHeaderNames(['X-Spec-Mixed-Case', 'a', 'bad name', 'b', 'X-Colon:', 'c', 'X-Ünicode', 'd', '', 'e']);
    expect(knownLowerCase('X-Spec-Mixed-Case')).to.equal('x-spec-mixed-case');
    for (const name of ['bad name', 'X-Colon:', 'X-Ünicode', '']) expect(knownLowerCase(name), name).to.equal(undefined);
  });

  it('stops at its limit and leaves known names alone', () => {
    const table: NameTable = { Known: 'known' };
    const register = headerNameRegistry(table, 2);
    register(['Known', '1', 'A-One', '1', 'A-Two', '2', 'A-Three', '3']);
    expect(table).to.deep.equal({ Known: 'known', 'A-One': 'a-one', 'A-Two': 'a-two' });
    register(['A-Four', '4']);
    expect(table['A-Four']).to.equal(undefined);
  });

  it('requests keep the names, case and values given; undici still refuses an invalid value', async () => {
    let seen: string[] = [];
    const server = http.createServer((req, res) => { seen = req.rawHeaders; res.end('ok'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const headers = ['X-Spec-Sent', 'one', 'x-spec-sent', 'two', 'X-Forwarded-For', '10.0.0.1'];
      registerHeaderNames(headers);
      const answer = await pool.request({ path: '/', method: 'GET', headers });
      await answer.body.text();
      expect(seen.slice(seen.indexOf("X-Spec-Sent"))).to.deep.equal(headers);
      let refused: unknown = null;
      try {
        await pool.request({ path: '/', method: 'GET', headers: ['X-Spec-Sent', 'bad\r\nvalue'] });
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(Error);
    } finally {
      await pool.close();
      server.close();
    }
  });
});
