import autocannon from 'autocannon';
import { announce, die, exitWithParent, receive, send } from '../lib/child';
import type { BenchMessage, WindowResult } from '../lib/messages';

/** One autocannon run against 127.0.0.1, in its own process: the load never shares the server's CPU time slice. */
export interface CannonSpec {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly warmupS: number;
  readonly durationS: number;
  /**
   * POST /auth/jwt/refresh: each request spends a distinct refresh token taken from this pool, and
   * the rotated token of each answer goes back into it, so the pool chains itself. What is left
   * unspent goes back to the orchestrator for the next round.
   */
  readonly refreshPool?: string[];
}

interface RunMessage {
  readonly type: 'run';
  readonly spec: CannonSpec;
}

async function main(): Promise<void> {
  exitWithParent();
  await announce();
  const { spec } = await receive<RunMessage & BenchMessage>('run');
  const url = new URL(spec.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load ${url.hostname}: only 127.0.0.1`);
  const pool = spec.refreshPool === undefined ? undefined : [...spec.refreshPool];
  let exhausted = 0;
  const options: autocannon.Options = {
    url: spec.url,
    headers: spec.headers,
    connections: spec.connections,
    duration: spec.durationS,
    timeout: 10,
    ...(spec.warmupS > 0 ? { warmup: { connections: spec.connections, duration: spec.warmupS } } : {}),
    ...(pool === undefined
      ? {}
      : {
          requests: [
            {
              method: 'POST',
              path: url.pathname,
              headers: { ...spec.headers, 'content-type': 'application/json' },
              setupRequest: (request: autocannon.Request) => {
                const token = pool.shift();
                if (token === undefined) exhausted += 1;
                return { ...request, body: JSON.stringify({ refreshToken: token ?? 'pool-exhausted' }) };
              },
              onResponse: (status: number, body: string) => {
                if (status === 200) pool.push((JSON.parse(body) as { refreshToken: string }).refreshToken);
              },
            },
          ],
        }),
  };
  await send({ type: 'ready' });
  await receive('go');
  let cpuAtWindow: NodeJS.CpuUsage | undefined;
  const warmedUp = setTimeout(() => (cpuAtWindow = process.cpuUsage()), spec.warmupS * 1000);
  const result = await autocannon(options);
  clearTimeout(warmedUp);
  const cpu = cpuAtWindow === undefined ? undefined : process.cpuUsage(cpuAtWindow);
  const failures = result.non2xx + result.errors + result.timeouts;
  // Only 2xx answers count toward the rate: a fast error must not look like throughput.
  const measured: WindowResult = {
    completed: result['2xx'],
    seconds: result.duration,
    perSecond: result['2xx'] / result.duration,
    p99Ms: result.latency.p99,
    failures,
    failureNote:
      failures === 0
        ? undefined
        : `${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts${exhausted > 0 ? `, refresh pool ran dry ${exhausted}×` : ''}`,
    loadCpuUs: cpu === undefined ? undefined : cpu.user + cpu.system,
  };
  await send({ type: 'result', result: measured, ...(pool === undefined ? {} : { pool }) });
  process.exit(0);
}

main().catch(die);
