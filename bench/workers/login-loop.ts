import { Agent, request } from 'node:http';
import { announce, die, exitWithParent, receive, send } from '../lib/child';
import type { BenchMessage } from '../lib/messages';
import { measureWindow } from '../lib/window-loop';

/**
 * POST /auth/jwt/login under a closed loop of `concurrency` clients (lib/window-loop.ts, the same
 * loop as the bcrypt ceiling), in its own process. A custom loop rather than autocannon because a
 * login takes up to seconds: autocannon would count the ramp-up and abandon up to `concurrency`
 * logins at the end that the server still hashes during the next measurement; this loop counts
 * only the window and waits for its stragglers.
 */
export interface LoginLoopSpec {
  readonly url: string;
  readonly headers: Record<string, string>;
  /** JSON bodies, used in turn (several users, so no per-account effect decides). */
  readonly bodies: readonly string[];
  readonly concurrency: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly timeoutS: number;
}

interface RunMessage {
  readonly type: 'run';
  readonly spec: LoginLoopSpec;
}

async function main(): Promise<void> {
  exitWithParent();
  await announce();
  const { spec } = await receive<RunMessage & BenchMessage>('run');
  const url = new URL(spec.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load ${url.hostname}: only 127.0.0.1`);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const post = (body: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...spec.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: spec.timeoutS * 1000,
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  await send({ type: 'ready' });
  await receive('go');
  const result = await measureWindow(spec, async (index) => {
    const status = await post(spec.bodies[index % spec.bodies.length]!);
    return status === 200 ? { ok: true } : { ok: false, note: `HTTP ${status}` };
  });
  agent.destroy();
  await send({ type: 'result', result });
  process.exit(0);
}

main().catch(die);
