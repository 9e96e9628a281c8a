// Request ids as Kong's (nginx $request_id): 16 random bytes as 32 hex characters. Random bytes
// are drawn in blocks, so a request costs one hex slice rather than a UUID and a regex replace.
import { randomFillSync } from 'node:crypto';

const ID_BYTES = 16;
const BLOCK_BYTES = ID_BYTES * 512;
const block = Buffer.allocUnsafe(BLOCK_BYTES);
let offset = BLOCK_BYTES;

export function newRequestId(): string {
  if (offset === BLOCK_BYTES) {
    randomFillSync(block);
    offset = 0;
  }
  const id = block.toString('hex', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
