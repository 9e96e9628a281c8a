// A self-signed CA and a server certificate for 127.0.0.1 / callout.test, made with the openssl CLI
// in a temp dir (node:crypto cannot issue X.509 certificates).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly ca: string;
  readonly key: string;
  readonly cert: string;
}

const made: string[] = [];
process.on('exit', () => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'luagate-tls-'));
  made.push(dir);
  const p = (name: string): string => join(dir, name);
  const run = (args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }); };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2',
    '-subj', '/CN=luagate test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=callout.test']);
  writeFileSync(p('ext.cnf'), 'subjectAltName=DNS:callout.test,IP:127.0.0.1\n');
  run(['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-out', p('server.pem'), '-days', '2', '-extfile', p('ext.cnf')]);
  return {
    dir,
    caFile: p('ca.pem'),
    ca: readFileSync(p('ca.pem'), 'utf8'),
    key: readFileSync(p('server.key'), 'utf8'),
    cert: readFileSync(p('server.pem'), 'utf8'),
  };
}
