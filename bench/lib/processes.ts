import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { BenchMessage } from './messages';

const STDERR_TAIL_LINES = 40;
const STOP_GRACE_MS = 6_000;

/** A bench process: its own Node, its own process group, an IPC channel, stderr kept for errors. */
export class Child {
  private readonly stderrLines: string[] = [];
  private readonly inbox: BenchMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private exited: string | undefined;
  readonly process: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    options: { env?: NodeJS.ProcessEnv; stdoutFile?: string; args?: readonly string[]; nodeArgs?: readonly string[] },
  ) {
    const stdout = options.stdoutFile === undefined ? 'ignore' : openSync(options.stdoutFile, 'a');
    this.process = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
      env: options.env ?? process.env,
      stdio: ['ignore', stdout, 'pipe', 'ipc'],
      // Its own group: Ctrl-C reaches the orchestrator only, which then stops everything in order
      // (servers, then the scratch database, then PostgreSQL). A child whose orchestrator died
      // exits on its own when the IPC channel closes (child.ts).
      detached: true,
    });
    if (typeof stdout === 'number') closeSync(stdout);
    live.add(this);
    let partial = '';
    this.process.stderr?.setEncoding('utf8');
    this.process.stderr?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        this.stderrLines.push(line);
        if (this.stderrLines.length > STDERR_TAIL_LINES) this.stderrLines.shift();
      }
    });
    this.process.on('message', (message: BenchMessage) => {
      this.inbox.push(message);
      this.wake();
    });
    this.process.on('exit', (code, signal) => {
      this.exited = `exited (code ${code}, signal ${signal})`;
      live.delete(this);
      this.wake();
    });
    this.process.on('error', (error) => {
      this.exited = `could not run: ${error.message}`;
      live.delete(this);
      this.wake();
    });
  }

  get stderrTail(): string {
    return this.stderrLines.join('\n');
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  send(message: BenchMessage): void {
    if (!this.running || !this.process.connected) throw this.failure('is not running');
    this.process.send(message);
  }

  /** The next message of that type, or an error when the process exits or the time is up. */
  async waitFor<T extends BenchMessage>(type: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((message) => message.type === type);
      if (index >= 0) return this.inbox.splice(index, 1)[0] as T;
      if (!this.running) throw this.failure(`${this.exited} before sending "${type}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw this.failure(`sent no "${type}" within ${Math.round(timeoutMs / 1000)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        const waiters = this.waiters;
        waiters.add(done);
      });
    }
  }

  async request<T extends BenchMessage>(message: BenchMessage, replyType: string, timeoutMs: number): Promise<T> {
    this.send(message);
    return this.waitFor<T>(replyType, timeoutMs);
  }

  /** SIGTERM to the process, SIGKILL to its group after a grace period; resolves once it has exited. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => {
      if (!this.running) resolve();
      else this.process.once('exit', () => resolve());
    });
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => signalGroup(this.process, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    // Anything the process left behind in its group (it should be nothing) goes too.
    signalGroup(this.process, 'SIGKILL');
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private failure(what: string): Error {
    const tail = this.stderrTail.trim();
    return new Error(`${this.name} ${what}${tail === '' ? '' : `; its stderr ends with:\n${tail}`}`);
  }
}

const live = new Set<Child>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops every bench process still running, the most recent first (load, then servers). */
export async function stopAll(except: ReadonlySet<Child> = new Set()): Promise<void> {
  for (const child of [...live].reverse()) {
    if (!except.has(child)) await child.stop();
  }
}

// Last resort if the orchestrator leaves without its cleanup (an exception in an exit path).
process.on('exit', () => {
  for (const child of live) signalGroup(child.process, 'SIGKILL');
});
