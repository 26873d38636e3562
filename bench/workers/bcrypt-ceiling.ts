import { randomBytes } from 'node:crypto';
import * as bcrypt from 'bcrypt';
import { announce, die, exitWithParent, receive, send } from '../lib/child';
import type { BenchMessage } from '../lib/messages';
import { measureWindow, WindowOptions } from '../lib/window-loop';

/**
 * The bcrypt ceiling: the most logins per second this machine could answer at a cost if a login
 * were nothing but its bcrypt.compare. The same bcrypt package and thread pool size as the server,
 * the same number in flight and the same measurement loop as the login load (lib/window-loop.ts),
 * in its own process. The product's pre-hash (one HMAC-SHA-384) is negligible beside bcrypt; the
 * candidate here has the same shape as its output (64 base64 characters).
 */
interface PrepareMessage {
  readonly type: 'prepare';
  readonly costs: readonly number[];
}

interface RunMessage extends WindowOptions {
  readonly type: 'run';
  readonly cost: number;
}

async function main(): Promise<void> {
  exitWithParent();
  await announce();
  const candidate = randomBytes(48).toString('base64');
  const { costs } = await receive<PrepareMessage & BenchMessage>('prepare');
  const hashes = new Map<number, string>();
  for (const cost of costs) hashes.set(cost, await bcrypt.hash(candidate, cost));
  await send({ type: 'ready' });
  for (;;) {
    const run = await receive<RunMessage & BenchMessage>('run');
    const hash = hashes.get(run.cost);
    if (hash === undefined) throw new Error(`no hash of cost ${run.cost}`);
    const result = await measureWindow(run, async () => ({ ok: await bcrypt.compare(candidate, hash) }));
    await send({ type: 'result', result });
  }
}

main().catch(die);
