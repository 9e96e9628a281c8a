// The bundled demo services used by `npm start` (examples/quickstart.yaml): an echo upstream and a
// token service, in-process, on fixed localhost ports.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEchoService } from './echo-service';
import { createTokenService } from './token-service';

export const DEMO_HOST = '127.0.0.1';
export const DEMO_UPSTREAM_PORT = 9001;
export const DEMO_TOKEN_PORT = 9002;

export interface DemoServices {
  readonly upstreamUrl: string;
  readonly tokenUrl: string;
  close(): Promise<void>;
}

export class DemoServiceError extends Error {
  constructor(readonly service: string, readonly port: number, options?: { cause?: unknown }) {
    super(`cannot start the demo ${service} on ${DEMO_HOST}:${port}: ${(options?.cause as Error | undefined)?.message ?? 'unknown error'}`, options);
    this.name = 'DemoServiceError';
  }
}

function listen(server: Server, name: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (cause) => reject(new DemoServiceError(name, port, { cause })));
    server.listen(port, DEMO_HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startDemoServices(ports: { upstream?: number; token?: number } = {}): Promise<DemoServices> {
  const upstream = createEchoService();
  const token = createTokenService();
  try {
    const upstreamPort = await listen(upstream, 'upstream', ports.upstream ?? DEMO_UPSTREAM_PORT);
    const tokenPort = await listen(token, 'token service', ports.token ?? DEMO_TOKEN_PORT);
    return {
      upstreamUrl: `http://${DEMO_HOST}:${upstreamPort}`,
      tokenUrl: `http://${DEMO_HOST}:${tokenPort}/token`,
      close: async () => { await Promise.all([close(upstream), close(token)]); },
    };
  } catch (error) {
    await Promise.all([close(upstream), close(token)]);
    throw error;
  }
}
