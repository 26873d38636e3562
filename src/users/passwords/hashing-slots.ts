import { availableParallelism } from 'node:os';
import pLimit, { type LimitFunction } from 'p-limit';
import { readMainThreadSchedstat } from '../../common/os/thread-schedstat';

/** How often the main thread's load is read. */
export const HASHING_SLOTS_SAMPLE_MS = 250;
/** From this share of the last sample spent on a CPU, one core is kept for the main thread. */
export const BUSY_MAIN_THREAD = 0.5;

/**
 * How many bcrypt hashes may run at once: one per core while the main thread has time to spare, one
 * fewer while it is busy serving other requests, so that a login storm queues its logins on the
 * other cores instead of taking the core every other route needs. The load is the main thread's own
 * CPU time per sample, from the kernel ({@link readMainThreadSchedstat}): Node's event-loop
 * utilisation counts wall time, which bcrypt's threads stretch on a machine they keep busy, so it
 * read a login-only load as a busy one. Without /proc (not Linux) the slots stay one per core.
 * Written here because p-limit bounds concurrency but does not adapt it.
 */
export class HashingSlots {
  private readonly limit: LimitFunction;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cores = availableParallelism(),
    /** The main thread's share of CPU since the previous call (0 to 1), or undefined when unknown. */
    private readonly loadSinceLastCall: () => number | undefined = mainThreadLoad(),
  ) {
    this.limit = pLimit(Math.max(1, cores));
  }

  get concurrency(): number {
    return this.limit.concurrency;
  }

  /** Runs `hash` in a slot: at once if one is free, else when one is. */
  run<T>(hash: () => Promise<T>): Promise<T> {
    return this.limit(hash);
  }

  start(): void {
    if (this.cores < 2 || this.timer !== undefined) return;
    this.loadSinceLastCall();
    this.timer = setInterval(() => this.adapt(), HASHING_SLOTS_SAMPLE_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sets the slots for the next sample from the load of the last one. */
  adapt(): void {
    if (this.cores < 2) return;
    const load = this.loadSinceLastCall();
    this.limit.concurrency = load !== undefined && load >= BUSY_MAIN_THREAD ? this.cores - 1 : this.cores;
  }
}

function mainThreadLoad(): () => number | undefined {
  const read = () => {
    const stat = readMainThreadSchedstat(process.pid);
    return stat === undefined ? undefined : { runNs: stat.runNs, at: process.hrtime.bigint() };
  };
  let last = read();
  return () => {
    const now = read();
    const before = last;
    last = now;
    if (now === undefined || before === undefined) return undefined;
    const elapsedNs = Number(now.at - before.at);
    return elapsedNs > 0 ? (now.runNs - before.runNs) / elapsedNs : undefined;
  };
}
