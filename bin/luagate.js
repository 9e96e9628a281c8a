#!/usr/bin/env node
'use strict';
// Entry point installed as `luagate`; the TypeScript build lives in dist/.
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  console.error('luagate is not built: run `npm install` (or `npm run build`) in ' + path.join(__dirname, '..'));
  process.exit(1);
}
require(main).main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(err && err.stack || String(err)); process.exitCode = 1; },
);
