/** One request through a system before load: proves it does the scenario's work and answers 200. */
import { Client } from 'undici';
import type { Scenario } from './scenarios';

/** Returns a problem description, or null when the system did the expected work. */
export async function checkOnce(url: string, scenario: Scenario): Promise<string | null> {
  const target = new URL(url);
  const client = new Client(target.origin);
  try {
    const body = scenario.bodyBytes > 0 ? Buffer.alloc(scenario.bodyBytes, 0x78) : undefined;
    const response = await client.request({
      path: target.pathname + target.search,
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-user': 'alice', ...(body === undefined ? {} : { 'content-type': 'application/octet-stream' }) },
      body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) return `status ${response.statusCode}: ${text.slice(0, 200)}`;
    let echo: unknown;
    try {
      echo = JSON.parse(text);
    } catch {
      return `answer is not the upstream echo: ${text.slice(0, 200)}`;
    }
    return scenario.check(echo as Record<string, unknown>);
  } catch (err) {
    return `request failed: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    await client.close();
  }
}
