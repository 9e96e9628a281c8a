#!/usr/bin/env node
// Installs what the test suite needs from Debian (LuaJIT as the fidelity oracle, redis-server for
// the cache tests) when it is missing. Runs before `npm test`; needs root and apt-get.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');

const needed = [
  { command: 'luajit', pkg: 'luajit2', why: 'the reference LuaJIT for the differential Lua suite' },
  { command: 'redis-server', pkg: 'redis-server', why: 'the Redis cache tests' },
];

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = needed.filter((n) => !has(n.command));
if (missing.length === 0) process.exit(0);

const list = missing.map((m) => `${m.pkg} (${m.why})`).join(', ');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !has('apt-get')) {
  console.error(`luagate tests need: ${list}.`);
  console.error(`Install them with: sudo apt-get install -y ${missing.map((m) => m.pkg).join(' ')}`);
  process.exit(1);
}
console.log(`Installing test dependencies from Debian: ${list}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((m) => m.pkg)], { stdio: 'inherit', env });
} catch (err) {
  console.error(`apt-get failed: ${err.message}`);
  process.exit(1);
}
for (const m of missing) {
  if (!has(m.command)) {
    console.error(`${m.pkg} was installed but '${m.command}' is still not on PATH`);
    process.exit(1);
  }
}
