import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { testSecrets } from './utils/create-test-app';
import { createTestDatabase, TestDatabase } from './utils/test-database';

/**
 * The real server in a process of its own (`node dist/src/main.js`, built in beforeAll), as an
 * orchestrator runs it: signals, keep-alive clients, database connections that die.
 */

const REPO = resolve(process.cwd());
const SHUTDOWN_TIMEOUT_S = 10;
const PASSWORD = 'a decent passphrase';

interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Answer {
  readonly status?: number;
  readonly connection?: string;
  readonly body?: unknown;
  readonly error?: string;
  readonly startedAt: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function serverEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    BCRYPT_COST: '4',
    THROTTLE_LOGIN_LIMIT: '0',
    PORT: '0',
    SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_S),
    ...testSecrets(),
    ...overrides,
  };
}

function startServer(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child = spawn(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  for (const pipe of [child.stdout, child.stderr]) {
    pipe?.setEncoding('utf8');
    pipe?.on('data', (chunk: string) => output.push(...chunk.split('\n').filter((line) => line !== '')));
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not listen:\n${output.slice(-30).join('\n')}`)), 90_000);
    const poll = setInterval(() => {
      const listening = output.map((line) => /^Listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line)).find(Boolean);
      if (listening) {
        clearInterval(poll);
        clearTimeout(timer);
        done({ child, port: Number(listening[1]), output, exited });
      }
    }, 25);
    void exited.then(({ code }) => {
      clearInterval(poll);
      clearTimeout(timer);
      fail(new Error(`server exited with ${code} before listening:\n${output.slice(-30).join('\n')}`));
    });
  });
}

function send(port: number, method: string, path: string, options: { agent?: http.Agent; body?: unknown } = {}): Promise<Answer> {
  const startedAt = Date.now();
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((done) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: options.agent ?? false,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          done({
            status: response.statusCode,
            connection: response.headers.connection,
            body: text === '' ? undefined : (JSON.parse(text) as unknown),
            startedAt,
          }),
        );
        response.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message, startedAt }));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message, startedAt }));
    request.end(payload);
  });
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Pids of the processes whose command line mentions `fragment` (Linux /proc). */
function processesMentioning(fragment: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (state.slice(state.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(fragment)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !state.slice(state.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** A transaction holding an exclusive lock on `users`: requests touching the table wait in the database. */
async function lockUsers(db: TestDatabase): Promise<Client> {
  const locker = new Client({ connectionString: db.url });
  // The database is dropped (terminating this connection) if a test fails half-way.
  locker.on('error', () => undefined);
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
  return locker;
}

/** Asked from another connection: pg_stat_activity is a snapshot frozen for a transaction's duration. */
async function waitingOnLocks(db: TestDatabase): Promise<number> {
  const rows = await db.admin<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${db.name}' AND wait_event_type = 'Lock'`,
  );
  return rows[0]?.n ?? 0;
}

describe('the server process (node dist/src/main.js)', () => {
  const databases: TestDatabase[] = [];
  const servers: ServerProcess[] = [];
  // Searchable, so that (as root) the postgres OS user reaches the service folder inside it.
  const scratch = mkdtempSync(join(tmpdir(), 'ops-e2e-'));
  chmodSync(scratch, 0o711);

  async function database(): Promise<TestDatabase> {
    const created = await createTestDatabase();
    databases.push(created);
    return created;
  }

  async function serve(db: TestDatabase): Promise<ServerProcess> {
    const server = await startServer(
      process.execPath,
      ['dist/src/main.js'],
      serverEnv({ DATABASE_URL: db.url, DATA_DIR: join(scratch, db.name) }),
    );
    servers.push(server);
    return server;
  }

  beforeAll(async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: REPO, timeout: 240_000 });
  }, 300_000);

  afterAll(async () => {
    for (const server of servers) if (alive(server.child)) server.child.kill('SIGKILL');
    for (const db of databases) await db.drop();
    rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('drains keep-alive load on SIGTERM: /health 503 at once, Connection: close, running requests finish, exit 0 within SHUTDOWN_TIMEOUT', async () => {
    const db = await database();
    const server = await serve(db);
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const answers: Answer[] = [];
    let stopLoad = false;
    const load = [1, 2, 3, 4].map(async () => {
      while (!stopLoad) {
        const answer = await send(server.port, 'GET', '/health', { agent: keepAlive });
        answers.push(answer);
        if (answer.error !== undefined) await sleep(10);
      }
    });
    await until('keep-alive load', () => answers.filter((answer) => answer.status === 200).length >= 40);
    expect(answers.filter((answer) => answer.status === 200).every((answer) => answer.connection === 'keep-alive')).toBe(true);

    // Registrations held inside the database by a lock: requests that are certainly in flight.
    const locker = await lockUsers(db);
    const heldAgent = new http.Agent({ keepAlive: true });
    const registrations = [1, 2, 3].map((n) =>
      send(server.port, 'POST', '/auth/register', {
        agent: heldAgent,
        body: { username: `drain${n}`, email: `drain${n}@example.com`, password: PASSWORD },
      }),
    );
    await until('three registrations waiting on the lock', async () => (await waitingOnLocks(db)) >= 3);

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    await until('the drain to begin', () => server.output.some((line) => line.includes('SIGTERM: shutting down')));
    const drainingFrom = Date.now();
    const health = await send(server.port, 'GET', '/health');
    expect(health).toMatchObject({ status: 503, connection: 'close', body: { statusCode: 503, code: 'SHUTTING_DOWN' } });
    await until('load to meet the drain', () => answers.some((answer) => answer.startedAt > drainingFrom && answer.status === 503));

    await locker.query('COMMIT');
    await locker.end();
    const registered = await Promise.all(registrations);
    for (const answer of registered) expect(answer).toMatchObject({ status: 201, connection: 'close' });

    const exit = await server.exited;
    const downAfterMs = Date.now() - signalledAt;
    stopLoad = true;
    await Promise.all(load);
    keepAlive.destroy();
    heldAgent.destroy();

    expect(exit).toEqual({ code: 0, signal: null });
    expect(downAfterMs).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_S * 1000);
    // Once draining, no request is served as usual: a 503 with Connection: close, or no connection.
    for (const answer of answers.filter((candidate) => candidate.startedAt > drainingFrom)) {
      if (answer.status === undefined) expect(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']).toContain(answer.error);
      else expect(answer).toMatchObject({ status: 503, connection: 'close' });
    }
    expect(server.output.some((line) => line.includes('cut off'))).toBe(false);
  }, 120_000);

  it('survives the termination of all its database connections, idle or busy, and recovers without a restart', async () => {
    const db = await database();
    const server = await serve(db);
    const terminateAll = () =>
      db.admin<{ terminated: boolean }>(
        `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = '${db.name}' AND pid <> pg_backend_pid()`,
      );
    expect(
      (await send(server.port, 'POST', '/auth/register', { body: { username: 'before', email: 'before@example.com', password: PASSWORD } }))
        .status,
    ).toBe(201);

    // Idle pool connections and the LISTEN connection.
    expect((await terminateAll()).length).toBeGreaterThanOrEqual(2);
    await until('the app to notice', () => server.output.some((line) => line.includes('idle database connection failed')));
    await until('/health to answer 200 again', async () => (await send(server.port, 'GET', '/health')).status === 200);
    expect(alive(server.child)).toBe(true);

    // A connection in the middle of a query: the request fails as 503, the process does not.
    const locker = await lockUsers(db);
    const held = send(server.port, 'POST', '/auth/register', { body: { username: 'held', email: 'held@example.com', password: PASSWORD } });
    await until('the registration to wait on the lock', async () => (await waitingOnLocks(db)) >= 1);
    await locker.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [db.name]);
    expect(await held).toMatchObject({ status: 503, body: { code: 'DATABASE_UNAVAILABLE' } });
    await locker.query('ROLLBACK');
    await locker.end();

    await until('/health to answer 200 again', async () => (await send(server.port, 'GET', '/health')).status === 200);
    expect(
      (await send(server.port, 'POST', '/auth/register', { body: { username: 'after', email: 'after@example.com', password: PASSWORD } }))
        .status,
    ).toBe(201);
    const login = await send(server.port, 'POST', '/auth/jwt/login', { body: { username: 'before', password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(alive(server.child)).toBe(true);
    expect(server.output.filter((line) => line.includes('Uncaught exception'))).toEqual([]);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('stops the app and then its embedded PostgreSQL when npm start gets SIGTERM, leaving no process behind', async () => {
    const home = join(scratch, 'embedded');
    // The data folder in a private (0700) folder, as in a clone under /root.
    mkdirSync(join(home, 'private'), { recursive: true, mode: 0o700 });
    chmodSync(home, 0o711);
    const npm = await startServer(
      'npm',
      ['start', '--ignore-scripts', '--silent'],
      serverEnv({ DATA_DIR: join(home, 'private', 'data'), EMBEDDED_POSTGRES_DIR: join(home, 'service') }),
    );
    servers.push(npm);
    await until('/health 200 with the embedded database', async () => (await send(npm.port, 'GET', '/health')).status === 200, 60_000);
    const node = childrenOf(npm.child.pid ?? 0);
    expect(node).toHaveLength(1); // npm start execs node: no shell in between
    expect(processesMentioning(home).length).toBeGreaterThanOrEqual(1); // postgres, whose data is under `home`

    npm.child.kill('SIGTERM');
    expect(await npm.exited).toEqual({ code: 0, signal: null });
    await until('every process of the app to be gone', () => processesMentioning(home).length === 0 && !isRunning(node[0]), 10_000);
    const closingApp = npm.output.findIndex((line) => line.includes('Closing the app'));
    const postgresDown = npm.output.findIndex((line) => line.includes('database system is shut down'));
    expect(closingApp).toBeGreaterThanOrEqual(0);
    expect(postgresDown).toBeGreaterThan(closingApp);
  }, 120_000);
});
