import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { ClusterLayout, DEFAULT_SERVICE_DIR, exists, prepareLayout } from './embedded-postgres-layout';
import { inspectPostmaster } from './postmaster-pid';

export interface EmbeddedPostgres {
  /** Carries the password: never log it (see {@link describeEmbeddedPostgres}). */
  readonly url: string;
  /** PGDATA of the cluster (as root, under the service folder). */
  readonly dataDir: string;
  readonly port: number;
  readonly passwordFile: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster's folder for an ordinary user; as root, the name of its folder under `serviceDir`. */
  dataDir: string;
  log: (line: string) => void;
  /** Root only: the folder the service prepares for PostgreSQL. */
  serviceDir?: string;
  /**
   * When a live process already runs this cluster, connect to that server (stop() then leaves it
   * alone) instead of refusing: the migration commands beside a running app.
   */
  attachToRunning?: boolean;
}

const SUPERUSER = 'postgres';
const HOST = '127.0.0.1';
const START_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const READY_LINE = 'database system is ready to accept connections';
// The server's environment is built, not inherited: the app's secrets stay out of it.
const SERVER_ENV = { LC_ALL: 'C', LANG: 'C', PATH: '/usr/local/bin:/usr/bin:/bin' };
const INITDB_FLAGS = ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--no-instructions'];

/**
 * Starts a PostgreSQL server on a fresh port of 127.0.0.1 from the `embedded-postgres` package's
 * binaries, creating the cluster on first use. The superuser password is generated once and kept
 * beside the cluster (mode 0600); it is never written anywhere else. Every failure is an Error
 * with a one-line message; PostgreSQL's own lines go to `log`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const layout = await prepareLayout(resolve(options.dataDir), options.serviceDir ?? DEFAULT_SERVICE_DIR, options.log);
  const running = await inspectPostmaster(layout.dataDir, options.log);
  if (running !== undefined) {
    if (options.attachToRunning !== true || !Number.isInteger(running.port)) {
      throw new Error(
        `${layout.dataDir} is in use by PostgreSQL (pid ${running.pid}) of the running process ${running.owner}; ` +
          'stop that process or use another DATA_DIR',
      );
    }
    const password = await readPassword(layout.passwordFile);
    return attached(layout, running.port, password);
  }

  const initialised = await exists(join(layout.dataDir, 'PG_VERSION'));
  const password = initialised ? await readPassword(layout.passwordFile) : await createPassword(layout);
  const output = new RecentOutput(options.log);
  if (!initialised) await initialise(layout, output);

  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    output.clear();
    try {
      const child = await startServer(layout, port, output);
      return watch(child, layout, port, password, options.log);
    } catch (error) {
      const portTaken = output.lines.some((line) => line.includes('could not create any TCP/IP sockets'));
      if (!portTaken || attempt === START_ATTEMPTS) throw error;
      options.log(`embedded-postgres: port ${port} was taken before PostgreSQL could bind it, retrying`);
    }
  }
}

/** The URL without its password, and where the password is: fit for a log line. */
export function describeEmbeddedPostgres(server: Pick<EmbeddedPostgres, 'port' | 'passwordFile'>): string {
  return `postgres://${SUPERUSER}@${HOST}:${server.port}/postgres (password in ${server.passwordFile})`;
}

function urlOf(port: number, password: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@${HOST}:${port}/postgres`;
}

function attached(layout: ClusterLayout, port: number, password: string): EmbeddedPostgres {
  return {
    url: urlOf(port, password),
    dataDir: layout.dataDir,
    port,
    passwordFile: layout.passwordFile,
    stop: async () => undefined,
  };
}

async function readPassword(file: string): Promise<string> {
  let stored: string;
  try {
    stored = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(
      `The embedded PostgreSQL cluster exists but its password file ${file} is missing; restore it, or delete the cluster to create a new one`,
      { cause: error },
    );
  }
  if (stored === '') throw new Error(`The embedded PostgreSQL password file ${file} is empty`);
  await chmod(file, 0o600);
  return stored;
}

/** Owned by the server's OS user, since initdb reads it (--pwfile); nobody else can read it. */
async function createPassword(layout: ClusterLayout): Promise<string> {
  const password = randomBytes(24).toString('hex');
  await writeFile(layout.passwordFile, `${password}\n`, { mode: 0o600 });
  await chmod(layout.passwordFile, 0o600);
  if (layout.osUser !== undefined) await chown(layout.passwordFile, layout.osUser.uid, layout.osUser.gid);
  return password;
}

function spawnServerProgram(layout: ClusterLayout, program: 'initdb' | 'postgres', args: string[]): ChildProcess {
  return spawn(join(layout.binDir, program), args, {
    cwd: layout.workDir,
    env: SERVER_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl+C or a group kill reaches the app, which stops the server last.
    detached: program === 'postgres',
    ...(layout.osUser === undefined ? {} : { uid: layout.osUser.uid, gid: layout.osUser.gid }),
  });
}

async function initialise(layout: ClusterLayout, output: RecentOutput): Promise<void> {
  output.log(`embedded-postgres: creating a PostgreSQL cluster in ${layout.dataDir}`);
  const child = spawnServerProgram(layout, 'initdb', [
    `--pgdata=${layout.dataDir}`,
    '--auth=scram-sha-256',
    `--username=${SUPERUSER}`,
    `--pwfile=${layout.passwordFile}`,
    ...INITDB_FLAGS,
  ]);
  output.follow(child);
  await new Promise<void>((done, fail) => {
    child.once('error', (error) => fail(cannotRun('initdb', layout, error)));
    child.once('close', (code, signal) => {
      if (code === 0) done();
      else fail(new Error(`Embedded PostgreSQL: initdb failed in ${layout.dataDir} (${exitOf(code, signal)}): ${output.reason()}`));
    });
  });
}

async function startServer(layout: ClusterLayout, port: number, output: RecentOutput): Promise<ChildProcess> {
  const child = spawnServerProgram(layout, 'postgres', [
    '-D',
    layout.dataDir,
    '-p',
    String(port),
    '-c',
    `listen_addresses=${HOST}`,
    '-c',
    'unix_socket_directories=',
  ]);
  output.follow(child);
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      fail(new Error(`Embedded PostgreSQL did not become ready within ${READY_TIMEOUT_MS / 1000} s in ${layout.dataDir}`));
    }, READY_TIMEOUT_MS);
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      child.stderr?.removeListener('data', onData);
      outcome();
    };
    const onData = (): void => {
      if (output.lines.some((line) => line.includes(READY_LINE))) settle(done);
    };
    child.stderr?.on('data', onData);
    child.once('error', (error) => settle(() => fail(cannotRun('postgres', layout, error))));
    child.once('exit', (code, signal) =>
      settle(() =>
        fail(new Error(`Embedded PostgreSQL exited at start in ${layout.dataDir} (${exitOf(code, signal)}): ${output.reason()}`)),
      ),
    );
  });
  return child;
}

function watch(child: ChildProcess, layout: ClusterLayout, port: number, password: string, log: (line: string) => void): EmbeddedPostgres {
  let stopping: Promise<void> | undefined;
  // If the caller exits without stop(), PostgreSQL still gets a fast-shutdown request.
  const stopOnExit = (): void => {
    child.kill('SIGINT');
  };
  process.on('exit', stopOnExit);
  child.once('exit', (code, signal) => {
    process.removeListener('exit', stopOnExit);
    if (stopping === undefined) log(`embedded-postgres: PostgreSQL exited unexpectedly (${exitOf(code, signal)})`);
  });
  // The server must not keep the caller alive on its own; stop() re-references it while waiting.
  child.unref();
  for (const pipe of [child.stdout, child.stderr]) (pipe as Socket | null)?.unref();

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.ref();
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return {
    url: urlOf(port, password),
    dataDir: layout.dataDir,
    port,
    passwordFile: layout.passwordFile,
    stop: () => (stopping ??= stop()),
  };
}

function cannotRun(program: string, layout: ClusterLayout, error: Error): Error {
  const as = layout.osUser === undefined ? '' : ` as OS user ${layout.osUser.name}`;
  return new Error(
    `Embedded PostgreSQL: cannot run ${join(layout.binDir, program)}${as} (${(error as NodeJS.ErrnoException).code ?? error.message})`,
  );
}

function exitOf(code: number | null, signal: NodeJS.Signals | null): string {
  return code !== null ? `exit code ${code}` : `signal ${signal ?? 'unknown'}`;
}

/** The server's output, line by line, to the log; the last lines explain a failure. */
class RecentOutput {
  readonly lines: string[] = [];
  private static readonly KEPT = 30;

  constructor(private readonly sink: (line: string) => void) {}

  follow(child: ChildProcess): void {
    for (const pipe of [child.stdout, child.stderr]) {
      let partial = '';
      pipe?.setEncoding('utf8');
      pipe?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split(/\r?\n/);
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') this.log(line);
      });
      pipe?.on('end', () => {
        if (partial.trim() !== '') this.log(partial);
      });
    }
  }

  log(line: string): void {
    this.lines.push(line);
    if (this.lines.length > RecentOutput.KEPT) this.lines.shift();
    this.sink(line);
  }

  clear(): void {
    this.lines.length = 0;
  }

  /** The line that says why: PostgreSQL's last FATAL/PANIC/ERROR, else its last line. */
  reason(): string {
    const telling = [...this.lines].reverse().find((line) => /\b(FATAL|PANIC|ERROR)\b|initdb: error/.test(line));
    return (telling ?? this.lines.at(-1) ?? 'no output').trim();
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}
