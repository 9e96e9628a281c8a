// luagate command line: dispatches to the subcommands.
import { runCommand } from './run';

const USAGE = `usage: luagate <command> [options]

commands:
  start [--config FILE] [--proxy-listen ADDR] [-c kong.conf] [--workers N] [--watch]
                         start the gateway on a Kong declarative config
  config parse FILE      validate a declarative config (like 'kong config parse')
  run FILE.lua           run a Lua file with luagate's LuaJIT-compatible engine
  version                print the version
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'start': {
      const { startCommand } = await import('./start');
      return startCommand([...rest]);
    }
    case 'config': {
      if (rest[0] !== 'parse') break;
      const { configParseCommand } = await import('./config-parse');
      return configParseCommand(rest.slice(1));
    }
    case 'version':
    case '--version':
    case '-v': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pkg = require('../../../package.json') as { version: string };
      process.stdout.write(`luagate ${pkg.version}\n`);
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      break;
  }
  process.stderr.write(`luagate: unknown command '${argv.join(' ')}'\n${USAGE}`);
  return 2;
}
