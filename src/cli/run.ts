// `luagate run FILE.lua`: runs a Lua file like the `luajit` command does, in `on` mode, with the
// same LuaJIT compatibility layer the gateway uses. Errors name the file (`file.lua:3: ...`).
import * as fs from 'node:fs';
import { LuaEngine } from '../lua/engine';
import { LuaError } from '../lua/errors';
import { installStdioGlobals } from '../lua/stdio';
import { installBuiltinModules } from '../lua/modules';
import { installMainThreadCoroutines } from '../lua/main-thread';

export async function runCommand(argv: readonly string[]): Promise<number> {
  const file = argv[0];
  if (!file || file === '-h' || file === '--help') {
    process.stderr.write('usage: luagate run FILE.lua [ARGS...]\n');
    return file ? 0 : 2;
  }
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`luagate: cannot open ${file}\n`);
    return 1;
  }
  if (source.startsWith('#!')) source = '--' + source; // keep line numbers, drop the shebang
  const out = new StdoutBuffer();
  const engine = new LuaEngine({ mode: 'on', timeBudgetMs: Number(process.env.LUAGATE_LUA_TIME_BUDGET_MS) || 60_000 });
  installBuiltinModules(engine);
  installStdioGlobals(engine, (bytes) => out.write(bytes));
  installMainThreadCoroutines(engine);
  try {
    const chunk = engine.compileChunk(source, '@' + file);
    await engine.call(chunk, engine.createChunkEnv(), null, () => undefined);
    return 0;
  } catch (err) {
    out.flush();
    const message = err instanceof LuaError ? err.message : String(err);
    process.stderr.write(`luajit: ${message}\n`);
    return 1;
  } finally {
    out.flush();
  }
}

/** print() is called a lot in test programs: batch the writes. */
class StdoutBuffer {
  private chunks: Uint8Array[] = [];
  private size = 0;
  write(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
    if (this.size > 64 * 1024) this.flush();
  }
  flush(): void {
    if (this.chunks.length === 0) return;
    fs.writeSync(1, Buffer.concat(this.chunks));
    this.chunks = [];
    this.size = 0;
  }
}
