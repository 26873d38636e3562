import { readFileSync } from 'node:fs';

/** Nanoseconds a thread has run on a CPU, and spent runnable but waiting for one, since it started. */
export interface ThreadSchedstat {
  readonly runNs: number;
  readonly waitNs: number;
}

/**
 * The kernel's account of a process's main thread (/proc/<pid>/task/<pid>/schedstat); undefined
 * where there is none (not Linux, or the process is gone).
 */
export function readMainThreadSchedstat(pid: number): ThreadSchedstat | undefined {
  try {
    const [runNs, waitNs] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return runNs === undefined || waitNs === undefined || Number.isNaN(runNs) || Number.isNaN(waitNs) ? undefined : { runNs, waitNs };
  } catch {
    return undefined;
  }
}
