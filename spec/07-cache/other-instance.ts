// A second "gateway instance" for the Redis sharing test: a separate Node process that opens its
// own cache from the same config, runs one operation and prints the result as JSON.
// Usage: node other-instance.js '<cache config json>' get <key>
//        node other-instance.js '<cache config json>' set <key> '<entry json>' <ttl>

import { createCalloutCache } from '../../src/cache';

async function main(): Promise<void> {
  const [configJson, operation, key, entryJson, ttl] = process.argv.slice(2);
  const warnings: string[] = [];
  const cache = createCalloutCache(JSON.parse(configJson), (_level, message) => warnings.push(message));
  if (cache === undefined) throw new Error('cache strategy is off');
  let result: unknown = null;
  if (operation === 'get') result = (await cache.get(key)) ?? null;
  else if (operation === 'set') await cache.set(key, JSON.parse(entryJson), Number(ttl));
  else throw new Error(`unknown operation ${operation}`);
  await cache.close();
  process.stdout.write(JSON.stringify({ pid: process.pid, result, warnings }));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(String(err));
    process.exitCode = 1;
  });
}
