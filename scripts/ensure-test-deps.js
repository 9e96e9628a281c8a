#!/usr/bin/env node
// Installs what the test suite needs from Debian (LuaJIT with lua-cjson as the fidelity oracle,
// redis-server for the cache tests) when it is missing. Runs before `npm test`; needs root and apt-get.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const luajitLoads = (module) => has('luajit') && spawnSync('luajit', ['-e', `require('${module}')`], { stdio: 'ignore' }).status === 0;

const needed = [
  { pkg: 'luajit2', why: 'the reference LuaJIT for the differential Lua suite', present: () => has('luajit'),
    absent: "'luajit' is not on PATH" },
  { pkg: 'lua-cjson', why: 'cjson for that LuaJIT (the cjson programs of the differential suite)', present: () => luajitLoads('cjson'),
    absent: "luajit cannot require('cjson')" },
  { pkg: 'redis-server', why: 'the Redis cache tests', present: () => has('redis-server'), absent: "'redis-server' is not on PATH" },
];

const missing = needed.filter((n) => !n.present());
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
  if (!m.present()) {
    console.error(`${m.pkg} was installed but ${m.absent}`);
    process.exit(1);
  }
}
