/** How a chunk name is shown in messages, as Lua's luaO_chunkid does. */
export function displayChunkName(chunkName: string): string {
  if (chunkName.startsWith('=') || chunkName.startsWith('@')) return chunkName.slice(1);
  return `[string "${chunkName}"]`;
}
