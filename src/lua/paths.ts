import * as fs from 'node:fs';
import * as path from 'node:path';

/** The project root (where package.json is), from src/ or dist/src/. */
function findRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'lua'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the luagate root above ${__dirname}`);
    dir = parent;
  }
}

export const projectRoot = findRoot();

/** Reads a Lua file shipped in lua/. */
export function readShippedLua(name: string): string {
  return fs.readFileSync(path.join(projectRoot, 'lua', name), 'utf8');
}
