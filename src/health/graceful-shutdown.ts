import type { Server, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { describeError } from './describe-error';
import type { ShutdownState } from './shutdown-state';

interface Cleanup {
  readonly name: string;
  readonly run: () => Promise<void>;
}

const POLL_MS = 25;
/** Of the timeout, what is kept for closing the app and stopping the database after the requests. */
const CLEANUP_SHARE = 1 / 3;
const MAX_CLEANUP_MS = 3000;

/**
 * The process's way down, on SIGTERM or SIGINT (or a fatal error): `/health` answers 503 at once,
 * every response carries `Connection: close`, idle keep-alive sockets are closed; the listener
 * keeps accepting while the requests that were running at the signal finish (so that a load
 * balancer's health check sees the 503), then closes; once the remaining requests are done, the
 * registered clean-ups run in reverse order (the app, then the embedded database) and the process
 * exits 0. Everything is bounded by `timeoutMs`: requests still running near its end are cut
 * (exit code 1), and at its end the process exits whatever is left.
 */
export class GracefulShutdown {
  private reason: string | undefined;
  private exitCode = 0;
  private readonly cleanups: Cleanup[] = [];
  private drain: HttpDrain | undefined;
  private state: ShutdownState | undefined;
  private running: Promise<void> | undefined;
  private cleaning: Promise<void> | undefined;
  private startedAt = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly logger: LoggerService,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  get isRequested(): boolean {
    return this.reason !== undefined;
  }

  handleSignals(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => this.request(signal));
  }

  /** What to undo on the way down; undone in reverse order, so what started first stops last. */
  add(name: string, run: () => Promise<void>): void {
    this.cleanups.push({ name, run });
  }

  /** The server listens: from now on a request drains it. */
  serve(server: Server, state: ShutdownState): void {
    this.drain = new HttpDrain(server);
    this.state = state;
    if (this.isRequested) {
      state.begin();
      void this.run();
    }
  }

  /**
   * Begins the shutdown. Before `serve()` the start-up code sees `isRequested` after its current
   * step and calls `run()`; a second signal closes every connection at once.
   */
  request(reason: string, exitCode = 0): void {
    if (this.reason !== undefined) {
      if (reason.startsWith('SIG')) {
        this.logger.warn(`${reason} again: closing every connection now`);
        this.drain?.closeAll();
      }
      this.exitCode ||= exitCode;
      return;
    }
    this.reason = reason;
    this.exitCode = exitCode;
    this.startedAt = Date.now();
    this.state?.begin();
    this.logger.log(`${reason}: shutting down within ${this.timeoutMs / 1000} s`);
    const hardStop = setTimeout(() => {
      this.logger.error(`Still not down after ${this.timeoutMs / 1000} s (SHUTDOWN_TIMEOUT): exiting now`);
      this.exit(1);
    }, this.timeoutMs);
    hardStop.unref();
    if (this.drain !== undefined) void this.run();
  }

  /** Runs the shutdown once (it begins it if no one has) and exits. */
  run(): Promise<void> {
    if (this.reason === undefined) this.request('shutdown');
    return (this.running ??= this.shutDown());
  }

  private async shutDown(): Promise<void> {
    if (this.drain !== undefined) {
      const cleanupMs = Math.min(MAX_CLEANUP_MS, this.timeoutMs * CLEANUP_SHARE);
      const cut = await this.drain.drain(Math.max(0, this.remainingMs() - cleanupMs));
      if (cut > 0) {
        this.logger.warn(`${cut} request(s) still running at the shutdown deadline were cut off`);
        this.exitCode ||= 1;
      }
    }
    await this.cleanUp();
    this.logger.log(`Shut down in ${Date.now() - this.startedAt} ms`);
    this.exit(this.exitCode);
  }

  /** Runs the clean-ups once, in reverse order, without exiting (a failed start uses it). */
  cleanUp(): Promise<void> {
    return (this.cleaning ??= this.runCleanups());
  }

  private async runCleanups(): Promise<void> {
    for (const cleanup of [...this.cleanups].reverse()) {
      this.logger.log(`Closing ${cleanup.name}`);
      try {
        await cleanup.run();
      } catch (error) {
        this.logger.error(`Could not close ${cleanup.name}: ${describeError(error)}`);
        this.exitCode ||= 1;
      }
    }
  }

  private remainingMs(): number {
    return this.startedAt + this.timeoutMs - Date.now();
  }
}

/** Tracks the responses in flight on one HTTP server and drains it. */
class HttpDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;

  constructor(private readonly server: Server) {
    // Before Express's own listener, so that the header is set before any handler answers.
    server.prependListener('request', (_request, response: ServerResponse) => {
      this.inFlight.add(response);
      if (this.draining) response.setHeader('Connection', 'close');
      response.once('close', () => {
        this.inFlight.delete(response);
        if (this.draining) this.server.closeIdleConnections();
      });
    });
  }

  /** Resolves with the number of requests cut off because they outlived `withinMs`. */
  async drain(withinMs: number): Promise<number> {
    const deadline = Date.now() + withinMs;
    this.draining = true;
    const runningAtSignal = [...this.inFlight];
    for (const response of runningAtSignal) if (!response.headersSent) response.setHeader('Connection', 'close');
    this.server.closeIdleConnections();

    await until(() => runningAtSignal.every((response) => !this.inFlight.has(response)), deadline);
    let closed = false;
    this.server.close(() => {
      closed = true;
    });
    this.server.closeIdleConnections();
    if (await until(() => closed, deadline)) return 0;
    const cut = this.inFlight.size;
    this.server.closeAllConnections();
    await until(() => closed, deadline + POLL_MS * 4);
    return cut;
  }

  closeAll(): void {
    this.server.closeAllConnections();
  }
}

/** Polls `condition` until it holds (true) or the deadline passes (false). */
async function until(condition: () => boolean, deadline: number): Promise<boolean> {
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
  return true;
}
