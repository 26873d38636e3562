/** What the bench's processes say to each other over their IPC channel (see processes.ts, child.ts). */

/** One measurement window of one load: what every load process reports. */
export interface WindowResult {
  /** Requests (or bcrypt compares) that completed successfully (2xx) inside the measurement window. */
  readonly completed: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p99Ms: number;
  /** Non-2xx answers, socket errors and timeouts inside the window (0 for bcrypt). */
  readonly failures: number;
  /** A few words about the failures, for the report. */
  readonly failureNote?: string;
  /** The load process's own CPU time (all its threads, µs) from the end of its warm-up to the result: the profile counts it. */
  readonly loadCpuUs?: number;
}

export interface ReadyMessage {
  readonly type: 'ready';
  readonly port?: number;
  /** A product server: how many routes Express tries before the bench module's. */
  readonly routesBefore?: number;
}

export interface ResultMessage {
  readonly type: 'result';
  readonly result: WindowResult;
  /** cannon.ts with a refresh pool: the refresh tokens it did not spend. */
  readonly pool?: string[];
}

export interface GoMessage {
  readonly type: 'go';
}

export type BenchMessage = ReadyMessage | ResultMessage | GoMessage | { readonly type: string; readonly [key: string]: unknown };
