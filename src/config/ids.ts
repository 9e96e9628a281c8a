// Stable ids for entities declared without one: a name-based UUID (version 5 layout, SHA-1)
// of the entity's identity, so loading the same file twice yields the same ids.
import { createHash } from 'node:crypto';

const LUAGATE_NAMESPACE = 'luagate-declarative-v1';

export function stableId(kind: string, identity: string): string {
  const digest = createHash('sha1').update(`${LUAGATE_NAMESPACE}\0${kind}\0${identity}`).digest();
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
