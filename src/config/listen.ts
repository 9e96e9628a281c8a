// Kong's listen syntax: `0.0.0.0:8000, 0.0.0.0:8443 ssl, [::]:8000 http2 reuseport backlog=16384`, or `off`.
import type { ListenAddress } from './types';

export const LISTEN_FORM =
  'must be of form: [off] | <ip>:<port> [ssl] [http2] [proxy_protocol] [deferred] [bind] [reuseport] [backlog=%d+] [ipv6only=on] [ipv6only=off] [so_keepalive=on] [so_keepalive=off] [so_keepalive=%w*:%w*:%d*], [... next entry ...]';

const FLAG = /^(?:ssl|http2|proxy_protocol|deferred|bind|reuseport|backlog=\d+|ipv6only=(?:on|off)|so_keepalive=(?:on|off|\w*:\w*:\d*))$/;
const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d+)$/;

export function parseListen(value: string): readonly ListenAddress[] | { readonly error: string } {
  const trimmed = value.trim();
  if (trimmed === 'off') return [];
  const entries: ListenAddress[] = [];
  for (const entry of trimmed.split(',')) {
    const [address, ...flags] = entry.trim().split(/\s+/);
    const match = ADDRESS.exec(address ?? '');
    const port = match === null ? NaN : Number(match[2]);
    if (match === null || port > 65535 || flags.some((flag) => !FLAG.test(flag))) return { error: LISTEN_FORM };
    const host = match[1].startsWith('[') ? match[1].slice(1, -1) : match[1];
    const others = flags.filter((flag) => flag !== 'ssl' && flag !== 'http2');
    entries.push({ host, port, ssl: flags.includes('ssl'), http2: flags.includes('http2'), flags: others });
  }
  return entries;
}
