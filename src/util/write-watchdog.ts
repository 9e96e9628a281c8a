// Kong's write_timeout (nginx's proxy_send_timeout): how long a peer may leave the gateway's writes
// waiting. undici has no such timeout, so the sockets it opens are watched. When a write is left
// queued (socket.write returned false), a timer starts; when it fires and the peer has taken
// nothing since, the socket is destroyed with the caller's error, which undici hands to the request
// on that socket. Progress is judged by the bytes still queued (libuv's count when the handle has
// one, else the stream's), so a peer that reads slowly but steadily is not cut off.
import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

/** libuv's count of bytes not yet written, on Node's TCP/TLS handles. */
interface HandleWithQueue {
  readonly writeQueueSize?: number;
}

function queuedBytes(socket: Socket): number {
  const handle = (socket as unknown as { _handle?: HandleWithQueue | null })._handle;
  const pending = handle?.writeQueueSize;
  return typeof pending === 'number' ? pending + socket.writableLength : socket.writableLength;
}

/** Watches `socket`'s writes; `stalled()` makes the error it is destroyed with. */
export function watchWrites(socket: Socket, timeoutMs: number, stalled: () => Error): void {
  let timer: NodeJS.Timeout | null = null;
  let queuedAtStart = 0;

  const check = (): void => {
    timer = null;
    if (socket.destroyed || !socket.writableNeedDrain) return;
    const queued = queuedBytes(socket);
    if (queued < queuedAtStart) {
      queuedAtStart = queued;
      timer = setTimeout(check, timeoutMs);
      return;
    }
    socket.destroy(stalled());
  };

  const write = socket.write as (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;
  // Fixed parameters rather than a rest array: this runs on every write of every request.
  socket.write = function watchedWrite(this: Socket, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const accepted = write.call(this, chunk, encoding, callback);
    if (!accepted && timer === null) {
      queuedAtStart = queuedBytes(socket);
      timer = setTimeout(check, timeoutMs);
    }
    return accepted;
  } as Socket['write'];
  const stop = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  socket.on('drain', stop);
  socket.once('close', stop);
}

/** A connector that watches the writes of every socket `base` opens. */
export function watchedConnector(base: buildConnector.connector, timeoutMs: number, stalled: () => Error): buildConnector.connector {
  return (options, callback) => base(options, (error, socket) => {
    if (error !== null) {
      callback(error, null);
      return;
    }
    watchWrites(socket as Socket, timeoutMs, stalled);
    callback(null, socket);
  });
}
