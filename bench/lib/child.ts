import type { BenchMessage } from './messages';

/**
 * The child side of processes.ts. Every bench process is started with an IPC channel and in its own
 * process group; it exits when the orchestrator says so (SIGTERM), on Ctrl-C, or when the channel
 * closes because the orchestrator died, whatever killed it.
 */
export function exitWithParent(cleanup: () => Promise<void> | void = () => undefined): void {
  let leaving = false;
  const leave = (code: number): void => {
    if (leaving) return;
    leaving = true;
    const hardStop = setTimeout(() => process.exit(code), 8_000);
    hardStop.unref();
    Promise.resolve()
      .then(cleanup)
      .catch((error: unknown) => process.stderr.write(`cleanup failed: ${String(error)}\n`))
      .finally(() => process.exit(code));
  };
  process.on('disconnect', () => leave(0));
  process.on('SIGTERM', () => leave(0));
  process.on('SIGINT', () => leave(130));
}

export function send(message: BenchMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('no IPC channel: this script is started by bench/run.ts'));
      return;
    }
    process.send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
  });
}

const inbox: BenchMessage[] = [];
const waiting = new Set<() => void>();
process.on('message', (message: BenchMessage) => {
  inbox.push(message);
  for (const wake of [...waiting]) wake();
});

/**
 * The next message from the orchestrator whose type is `type`. Messages are queued from the moment
 * this module is loaded, so one sent before the call is not lost.
 */
export async function receive<T extends BenchMessage>(type: string): Promise<T> {
  for (;;) {
    const index = inbox.findIndex((message) => message.type === type);
    if (index >= 0) return inbox.splice(index, 1)[0] as T;
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        waiting.delete(wake);
        resolve();
      };
      waiting.add(wake);
    });
  }
}

/** Tells the orchestrator that this process listens; it sends its first message only then. */
export function announce(): Promise<void> {
  return send({ type: 'spawned' });
}

/** Logs an error, then exits non-zero (the orchestrator shows the stderr tail). */
export function die(error: unknown): never {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
