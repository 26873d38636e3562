import { performance } from 'node:perf_hooks';
import type { WindowResult } from './messages';
import { percentile } from './stats';

export interface WindowOptions {
  readonly concurrency: number;
  readonly warmupS: number;
  readonly durationS: number;
}

/** What one operation reports: `ok` false counts as a failure, `note` says why. */
export interface Outcome {
  readonly ok: boolean;
  readonly note?: string;
}

/**
 * The one closed-loop measurement that the login load and the bcrypt ceiling share, so they are
 * measured alike: `concurrency` loops each run `operation` back to back from t=0; the operations
 * that complete inside [warm-up, warm-up + duration] are counted (the pipeline is full by then); no
 * new operation starts after the window, and the ones in flight are awaited (drained) before this
 * returns, so their work does not spill into the next measurement.
 */
export async function measureWindow(options: WindowOptions, operation: (index: number) => Promise<Outcome>): Promise<WindowResult> {
  const start = performance.now();
  const windowStart = start + options.warmupS * 1000;
  const windowEnd = windowStart + options.durationS * 1000;
  const latencies: number[] = [];
  let failures = 0;
  const notes = new Map<string, number>();
  let sequence = 0;
  let cpuAtWindow: NodeJS.CpuUsage | undefined;
  const warmedUp = setTimeout(() => (cpuAtWindow = process.cpuUsage()), options.warmupS * 1000);

  const loop = async (): Promise<void> => {
    while (performance.now() < windowEnd) {
      const began = performance.now();
      let outcome: Outcome;
      try {
        outcome = await operation(sequence++);
      } catch (error) {
        outcome = { ok: false, note: error instanceof Error ? error.message : String(error) };
      }
      const ended = performance.now();
      if (ended < windowStart || ended > windowEnd) continue;
      latencies.push(ended - began);
      if (!outcome.ok) {
        failures += 1;
        const note = outcome.note ?? 'failed';
        notes.set(note, (notes.get(note) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  clearTimeout(warmedUp);
  const cpu = cpuAtWindow === undefined ? undefined : process.cpuUsage(cpuAtWindow);

  // Only successes count: a fast failure (a 503 that skipped bcrypt) must not raise the rate.
  const succeeded = latencies.length - failures;
  return {
    completed: succeeded,
    seconds: options.durationS,
    perSecond: succeeded / options.durationS,
    p99Ms: percentile(latencies, 99),
    failures,
    failureNote: notes.size === 0 ? undefined : [...notes].map(([note, count]) => `${count}× ${note}`).join(', '),
    loadCpuUs: cpu === undefined ? undefined : cpu.user + cpu.system,
  };
}
