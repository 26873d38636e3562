import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import type { BenchMessage, ReadyMessage, ResultMessage, WindowResult } from './lib/messages';
import { Child, stopAll } from './lib/processes';
import { CpuReading, cpuUse, postmasterOf, readCpu } from './lib/cpu-accounts';
import { cpuPerRequest, formatProfile, ProfileWindow } from './lib/profile';
import { formatText, Key, Samples, summarise } from './lib/report';
import type { CannonSpec } from './workers/cannon';
import type { LoginLoopSpec } from './workers/login-loop';

/**
 * `npm run bench`: the orchestrator. It only starts processes, sends setup requests and collects
 * results; every server, every load generator and the bcrypt ceiling runs in a process of its own:
 *
 * - the reference app (bench/reference/server.ts): bare Nest, one route;
 * - two product servers (bench/app/server.ts: the production build plus the bench module),
 *   BCRYPT_COST 10 and 12, NODE_ENV=production with generated secrets, request logs to a file;
 * - the bcrypt ceiling (bench/workers/bcrypt-ceiling.ts);
 * - per measurement, autocannon (bench/workers/cannon.ts) or the login loop (workers/login-loop.ts);
 * - without DATABASE_URL, the product's embedded PostgreSQL (bench/workers/database.ts).
 *
 * The scenarios run in interleaved rounds, so that drift of this shared machine hits them alike;
 * each ratio is the median over rounds of the ratio within a round.
 */

const HERE = __dirname;
const SCRIPTS = {
  server: join(HERE, 'app', 'server.js'),
  reference: join(HERE, 'reference', 'server.js'),
  cannon: join(HERE, 'workers', 'cannon.js'),
  loginLoop: join(HERE, 'workers', 'login-loop.js'),
  ceiling: join(HERE, 'workers', 'bcrypt-ceiling.js'),
  database: join(HERE, 'workers', 'database.js'),
};
const HOST = '127.0.0.1';
const USERS_PER_SERVER = 8;
const LOGIN_TIMEOUT_S = 60;
/** Between two measurements: sockets close, the servers settle. */
const PAUSE_MS = 300;
/** As a TLS-terminating proxy would send; with TRUST_PROXY=1 the Secure session cookie is set. */
const PROXY_HEADERS = { 'x-forwarded-proto': 'https' };
const ORIGIN = 'https://app.bench.invalid';

interface Options {
  readonly mode: 'full' | 'quick' | 'smoke';
  readonly rounds: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
  readonly loginConcurrency: number;
  readonly json: boolean;
  readonly keepLogs: boolean;
  readonly profile: boolean;
}

const USAGE = `usage: npm run bench -- [--quick | --smoke] [--rounds N] [--duration S] [--warmup S]
                       [--connections N] [--logins N] [--json] [--keep-logs] [--profile]
  (default)     5 rounds of 5 s per scenario after 1 s of warm-up (about 10 minutes)
  --quick       2 rounds of 2 s after 0.5 s (about 2 minutes with the build)
  --smoke       1 round of 1 s: checks that every scenario works; its ratios mean nothing
  --rounds N    interleaved rounds; each figure is the median over them
  --duration S  measured seconds per scenario and round
  --warmup S    unmeasured seconds before each measurement
  --connections N  autocannon connections for the GET routes and refresh (default 50)
  --logins N    logins (and bcrypt compares of the ceiling) in flight (default 50)
  --json        print the results as JSON instead of the table (progress still goes to stderr)
  --keep-logs   keep the run's folder: the servers' request logs and, with --profile, the .cpuprofile
                files and their windows (profile-windows.json); it is deleted after a run that went well
  --profile     run the reference and the cost-10 server under node --cpu-prof and print, after
                the tables, their main thread's sampled microseconds per request by package, and
                the kernel's account of it (on a CPU, waiting for one), for the reference,
                unguarded, JwtGuard, SessionGuard, refresh and cost-10 login windows (the profiler
                slows both; a login's bcrypt runs on libuv's threads, which neither counts)
DATABASE_URL: a PostgreSQL server to create the scratch database on; unset, the product's embedded
PostgreSQL runs in BENCH_DATA_DIR (default: <tmp>/nest-auth-bench).
Exit status: 0 when every scenario ran without a failed request, whatever the ratios (no timed
assertion); 1 when the run broke or some requests failed (the table marks those rows).`;

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      smoke: { type: 'boolean' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      logins: { type: 'string' },
      json: { type: 'boolean' },
      'keep-logs': { type: 'boolean' },
      profile: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  const defaults = { full: [5, 5, 1], quick: [2, 2, 0.5], smoke: [1, 1, 0.25] }[mode];
  const number = (raw: string | undefined, fallback: number, name: string, min: number, max: number): number => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return value;
  };
  return {
    mode,
    rounds: Math.round(number(values.rounds, defaults[0]!, 'rounds', 1, 20)),
    durationS: number(values.duration, defaults[1]!, 'duration', 0.5, 60),
    warmupS: number(values.warmup, defaults[2]!, 'warmup', 0, 30),
    connections: Math.round(number(values.connections, 50, 'connections', 1, 500)),
    loginConcurrency: Math.round(number(values.logins, 50, 'logins', 1, 500)),
    json: values.json ?? false,
    keepLogs: values['keep-logs'] ?? false,
    profile: values.profile ?? false,
  };
}

const T0 = Date.now();

function log(line: string): void {
  process.stderr.write(`bench [${String(Math.round((Date.now() - T0) / 1000)).padStart(4)} s] ${line}\n`);
}

function secret(): string {
  return randomBytes(48).toString('base64url');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// The database

interface Database {
  /** The scratch database of this run. */
  readonly url: string;
  readonly description: string;
  /** The server's postmaster, when it runs on this machine: the profile counts its CPU. */
  readonly postmasterPid?: number;
  drop(): Promise<void>;
}

async function onServer(url: string, sql: string): Promise<string[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<{ datname?: string }>(sql)).rows.map((row) => row.datname ?? '');
  } finally {
    await client.end();
  }
}

/** The postmaster of a server on this machine: the parent of the backend serving a connection, read while it lives. */
async function postmasterBehind(url: string): Promise<number | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return rows[0] === undefined ? undefined : postmasterOf(rows[0].pid);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function createDatabase(holder: { child?: Child }): Promise<Database> {
  let serverUrl = process.env.DATABASE_URL;
  let description = 'DATABASE_URL';
  if (serverUrl === undefined || serverUrl === '') {
    const dataDir = process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'nest-auth-bench');
    // PostgreSQL runs as the postgres OS user when we are root: it must reach the folder.
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    log(`DATABASE_URL is unset: starting the product's embedded PostgreSQL in ${dataDir}`);
    const child = new Child('embedded PostgreSQL', SCRIPTS.database, { env: { ...baseEnv(), DATA_DIR: dataDir } });
    holder.child = child;
    const ready = await child.waitFor<ReadyMessage & { url?: string }>('ready', 180_000);
    if (ready.url === undefined) throw new Error('the embedded PostgreSQL reported no URL');
    serverUrl = ready.url;
    description = `embedded PostgreSQL (${dataDir})`;
    // This cluster is the bench's own: scratch databases of an interrupted run go now.
    for (const name of await onServer(serverUrl, `SELECT datname FROM pg_database WHERE datname LIKE 'bench\\_%'`)) {
      await onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  }
  const host = new URL(serverUrl).hostname;
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  if (!local) {
    log(`note: the database server is ${host}; the load itself only ever targets ${HOST}`);
  }
  const name = `bench_${randomBytes(5).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  const server = serverUrl;
  return {
    url: withDatabase(serverUrl, name),
    description,
    postmasterPid: local ? await postmasterBehind(serverUrl) : undefined,
    drop: () => onServer(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes

/** The environment every bench process gets: nothing of the caller's product settings leaks in. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'UV_THREADPOOL_SIZE']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return env;
}

interface Server {
  readonly child: Child;
  readonly base: string;
  readonly logFile?: string;
  readonly routesBefore?: number;
}

async function startServer(name: string, script: string, env: NodeJS.ProcessEnv, logFile?: string, profileDir?: string): Promise<Server> {
  const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const child = new Child(name, script, { env, stdoutFile: logFile, nodeArgs });
  const ready = await child.waitFor<ReadyMessage>('ready', 120_000);
  if (ready.port === undefined) throw new Error(`${name} reported no port`);
  return { child, base: `http://${HOST}:${ready.port}`, logFile, routesBefore: ready.routesBefore };
}

function productEnv(cost: number, databaseUrl: string, secrets: Record<string, string>, dataDir: string): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    ...secrets,
    NODE_ENV: 'production',
    HOST,
    PORT: '0',
    DATABASE_URL: databaseUrl,
    BCRYPT_COST: String(cost),
    THROTTLE_LOGIN_LIMIT: '0',
    LOG_LEVEL: 'info',
    CORS_ORIGINS: ORIGIN,
    APP_URL: ORIGIN,
    TRUST_PROXY: '1',
    // Required in production; nothing in the bench sends mail, so nothing connects to it.
    SMTP_URL: 'smtp://127.0.0.1:2525',
    // Longer than any run, so that one login serves all rounds; it changes no per-request work.
    JWT_ACCESS_TTL: '7200',
    DATA_DIR: dataDir,
  };
}

// ---------------------------------------------------------------------------------------------
// Setup requests (not measured)

interface Credentials {
  readonly username: string;
  readonly password: string;
}

async function call(
  base: string,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: { ...PROXY_HEADERS, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(60_000),
  });
}

async function expectStatus(response: Response, status: number, what: string): Promise<Response> {
  if (response.status !== status)
    throw new Error(`${what} answered ${response.status}, not ${status}: ${(await response.text()).slice(0, 300)}`);
  return response;
}

async function registerUsers(base: string, tag: string, count: number): Promise<Credentials[]> {
  const users: Credentials[] = [];
  for (let index = 0; index < count; index++) {
    const username = `bench${tag}u${index}${randomBytes(3).toString('hex')}`;
    const password = `${randomBytes(18).toString('base64url')} bench`;
    await expectStatus(
      await call(base, 'POST', '/auth/register', { body: { username, email: `${username}@example.com`, password } }),
      201,
      'POST /auth/register',
    );
    users.push({ username, password });
  }
  return users;
}

async function jwtLogin(base: string, user: Credentials): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await expectStatus(await call(base, 'POST', '/auth/jwt/login', { body: user }), 200, 'POST /auth/jwt/login');
  return (await response.json()) as { accessToken: string; refreshToken: string };
}

async function sessionCookie(base: string, user: Credentials): Promise<string> {
  const response = await expectStatus(await call(base, 'POST', '/auth/session/login', { body: user }), 200, 'POST /auth/session/login');
  const sid = response.headers.getSetCookie().find((line) => line.startsWith('sid='));
  if (sid === undefined) throw new Error('POST /auth/session/login set no sid cookie');
  return sid.split(';')[0]!;
}

/** More refresh tokens, `parallel` logins at a time, until the pool holds `size`. */
async function topUpPool(base: string, users: readonly Credentials[], pool: string[], size: number, parallel = 4): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (pool.length < size) {
      const user = users[next++ % users.length]!;
      pool.push((await jwtLogin(base, user)).refreshToken);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** A load process that has its orders and waits for "go". */
async function armLoad(name: string, script: string, spec: CannonSpec | LoginLoopSpec): Promise<Child> {
  const child = new Child(name, script, { env: baseEnv() });
  await child.waitFor('spawned', 30_000);
  child.send({ type: 'run', spec } as BenchMessage);
  await child.waitFor('ready', 30_000);
  return child;
}

async function collect(child: Child, timeoutMs: number): Promise<ResultMessage> {
  try {
    return await child.waitFor<ResultMessage>('result', timeoutMs);
  } finally {
    await child.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const runDir = mkdtempSync(join(tmpdir(), 'nest-auth-bench-run-'));
  const holder: { child?: Child } = {};
  let database: Database | undefined;
  let succeeded = false;
  const profileDirs = options.profile
    ? { reference: join(runDir, 'profile-reference'), product: join(runDir, 'profile-cost10') }
    : undefined;
  const profileWindows = new Map<Key, ProfileWindow[]>();
  /** Marks a window of `key` for the profile: from the end of the warm-up to the result. */
  const profiled = async <T extends { result: WindowResult }>(key: Key, server: Server, measure: () => Promise<T>): Promise<T> => {
    const startUs = Number(process.hrtime.bigint() / 1000n) + options.warmupS * 1e6;
    const pid = server.child.process.pid;
    let before: CpuReading | undefined;
    const warmedUp = setTimeout(() => (before = readCpu(pid, database?.postmasterPid)), options.warmupS * 1000);
    const outcome = await measure();
    clearTimeout(warmedUp);
    const after = readCpu(pid, database?.postmasterPid);
    const list = profileWindows.get(key) ?? [];
    list.push({
      startUs,
      endUs: after.atUs,
      completed: outcome.result.completed,
      cpu: before === undefined ? undefined : { ...cpuUse(before, after), loadGeneratorUs: outcome.result.loadCpuUs },
    });
    profileWindows.set(key, list);
    return outcome;
  };

  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await stopAll(new Set(holder.child === undefined ? [] : [holder.child]));
      if (database !== undefined)
        await database.drop().catch((error: unknown) => log(`could not drop the scratch database: ${String(error)}`));
      await holder.child?.stop();
      if (succeeded && !options.keepLogs) rmSync(runDir, { recursive: true, force: true });
      else log(`server logs kept in ${runDir}`);
    })());
  let interrupted = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      interrupted += 1;
      if (interrupted > 1) process.exit(130); // the 'exit' hook of processes.ts kills what is left
      log(`${signal}: stopping every bench process`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  // Bounded time, whatever hangs.
  const perRound = 14 * (options.warmupS + options.durationS) + 60 + 2 * LOGIN_TIMEOUT_S;
  const boundS = 300 + options.rounds * perRound;
  const watchdog = setTimeout(() => {
    log(`still running after ${boundS} s, far beyond what this run should take: giving up`);
    process.exitCode = 1;
    void cleanup().finally(() => process.exit(1));
  }, boundS * 1000);
  watchdog.unref();

  try {
    database = await createDatabase(holder);
    const secrets = { SESSION_SECRET: secret(), JWT_SECRET: secret(), PASSWORD_PEPPER: secret() };
    log(`scratch database on ${database.description}; starting the servers (production build in dist/)`);
    const [reference, s10, s12, ceiling] = await Promise.all([
      startServer('reference app', SCRIPTS.reference, baseEnv(), undefined, profileDirs?.reference),
      startServer(
        'product server (cost 10)',
        SCRIPTS.server,
        productEnv(10, database.url, secrets, join(runDir, 'cost10')),
        join(runDir, 'server-cost10.log'),
        profileDirs?.product,
      ),
      startServer(
        'product server (cost 12)',
        SCRIPTS.server,
        productEnv(12, database.url, secrets, join(runDir, 'cost12')),
        join(runDir, 'server-cost12.log'),
      ),
      (async () => {
        const child = new Child('bcrypt ceiling', SCRIPTS.ceiling, { env: baseEnv() });
        await child.waitFor('spawned', 30_000);
        await child.request({ type: 'prepare', costs: [10, 12] }, 'ready', 60_000);
        return child;
      })(),
    ]);

    const routesBefore = s10.routesBefore ?? 0;
    const referenceRoutes = await startServer('reference app (with routes)', SCRIPTS.reference, {
      ...baseEnv(),
      REFERENCE_ROUTES: String(routesBefore),
    });
    log(`the reference behind the service's routes has ${routesBefore} routes before GET /open`);

    log('setup: users, a session, tokens; checking every route once');
    const users10 = await registerUsers(s10.base, 'c10', USERS_PER_SERVER);
    const users12 = await registerUsers(s12.base, 'c12', USERS_PER_SERVER);
    const bearer10 = { authorization: `Bearer ${(await jwtLogin(s10.base, users10[0]!)).accessToken}` };
    const bearer12 = { authorization: `Bearer ${(await jwtLogin(s12.base, users12[0]!)).accessToken}` };
    const cookie10 = { cookie: await sessionCookie(s10.base, users10[1]!) };
    const route = (server: Server, path: string, headers: Record<string, string>) => ({ server, url: `${server.base}${path}`, headers });
    const routes: Record<
      'reference' | 'referenceRoutes' | 'unguarded' | 'jwt' | 'session' | 'eitherCookie' | 'eitherBearer' | 'roles' | 'jwtIdle12',
      { server: Server; url: string; headers: Record<string, string> }
    > = {
      reference: route(reference, '/open', {}),
      referenceRoutes: route(referenceRoutes, '/open', {}),
      unguarded: route(s10, '/bench/open', {}),
      jwt: route(s10, '/bench/jwt', bearer10),
      session: route(s10, '/bench/session', cookie10),
      eitherCookie: route(s10, '/bench/either', cookie10),
      eitherBearer: route(s10, '/bench/either', bearer10),
      roles: route(s10, '/bench/role', bearer10),
      jwtIdle12: route(s12, '/bench/jwt', bearer12),
    };
    for (const [key, route] of Object.entries(routes)) {
      const path = new URL(route.url).pathname;
      await expectStatus(await fetch(route.url, { headers: { ...PROXY_HEADERS, ...route.headers } }), 200, `GET ${path} (${key})`);
      // The guards are really there: without the credential, the same route refuses.
      if (Object.keys(route.headers).length > 0)
        await expectStatus(await fetch(route.url, { headers: PROXY_HEADERS }), 401, `GET ${path} without credentials`);
    }
    const pool: string[] = [];
    const poolSize = 2 * options.connections + 20;
    await topUpPool(s10.base, users10, pool, poolSize);
    const probe = pool.shift()!;
    const refreshed = await expectStatus(
      await call(s10.base, 'POST', '/auth/jwt/refresh', { body: { refreshToken: probe } }),
      200,
      'POST /auth/jwt/refresh',
    );
    pool.push(((await refreshed.json()) as { refreshToken: string }).refreshToken);
    await expectStatus(
      await call(s10.base, 'POST', '/auth/jwt/refresh', { body: { refreshToken: probe } }),
      401,
      'POST /auth/jwt/refresh with a spent token',
    );

    const samples: Samples = new Map();
    const record = (key: Key, received: WindowResult, round: number): void => {
      // A window in which nothing completed has no p99; JSON (IPC) turned its NaN into null.
      const result: WindowResult = { ...received, p99Ms: received.p99Ms ?? Number.NaN };
      const list = samples.get(key) ?? [];
      list.push(result);
      samples.set(key, list);
      const failed = result.failures > 0 ? `  ${result.failures} FAILED (${result.failureNote ?? ''})` : '';
      log(
        `round ${round + 1}/${options.rounds}  ${key.padEnd(12)} ${result.perSecond.toFixed(1).padStart(8)}/s  p99 ${result.p99Ms.toFixed(1).padStart(7)} ms${failed}`,
      );
    };
    const window = { warmupS: options.warmupS, durationS: options.durationS };
    const cannonTimeout = (options.warmupS + options.durationS + 30) * 1000;
    const loginTimeout = (options.warmupS + options.durationS + LOGIN_TIMEOUT_S + 30) * 1000;
    const cannonSpec = (route: { url: string; headers: Record<string, string> }): CannonSpec => ({
      url: route.url,
      headers: { ...PROXY_HEADERS, ...route.headers },
      connections: options.connections,
      ...window,
    });
    const loginSpec = (base: string, users: readonly Credentials[]): LoginLoopSpec => ({
      url: `${base}/auth/jwt/login`,
      headers: PROXY_HEADERS,
      bodies: users.map((user) => JSON.stringify(user)),
      concurrency: options.loginConcurrency,
      timeoutS: LOGIN_TIMEOUT_S,
      ...window,
    });
    const get = async (key: keyof typeof routes): Promise<WindowResult> => {
      const child = await armLoad(`autocannon (${key})`, SCRIPTS.cannon, cannonSpec(routes[key]));
      return (
        await profiled(key, routes[key].server, () => {
          child.send({ type: 'go' });
          return collect(child, cannonTimeout);
        })
      ).result;
    };
    const ceilingAt = async (cost: number): Promise<WindowResult> =>
      (
        await ceiling.request<ResultMessage>(
          { type: 'run', cost, concurrency: options.loginConcurrency, ...window },
          'result',
          loginTimeout,
        )
      ).result;
    const loginsAt = async (base: string, users: readonly Credentials[], label: string): Promise<WindowResult> => {
      const child = await armLoad(`login loop (${label})`, SCRIPTS.loginLoop, loginSpec(base, users));
      child.send({ type: 'go' });
      return (await collect(child, loginTimeout)).result;
    };

    log(
      `${options.rounds} interleaved round(s): ${options.durationS} s per scenario after ${options.warmupS} s of warm-up, ` +
        `${options.connections} connections, ${options.loginConcurrency} logins in flight`,
    );
    // One round: every scenario once. Even rounds run this list forwards, odd rounds backwards
    // (A B C … C B A), so a steady drift of the machine's speed cancels out of every pair.
    const steps: Array<(round: number) => Promise<void>> = [
      ...(['reference', 'referenceRoutes', 'unguarded', 'jwt', 'session', 'eitherCookie', 'eitherBearer', 'roles'] as const).map(
        (key) => async (round: number) => record(key, await get(key), round),
      ),
      async (round) => {
        await topUpPool(s10.base, users10, pool, poolSize);
        const refresher = await armLoad('autocannon (refresh)', SCRIPTS.cannon, {
          url: `${s10.base}/auth/jwt/refresh`,
          headers: PROXY_HEADERS,
          connections: options.connections,
          refreshPool: pool.splice(0),
          ...window,
        });
        const refresh = await profiled('refresh', s10, () => {
          refresher.send({ type: 'go' });
          return collect(refresher, cannonTimeout);
        });
        pool.push(...(refresh.pool ?? []));
        record('refresh', refresh.result, round);
      },
      async (round) => record('ceiling10', await ceilingAt(10), round),
      async (round) => {
        const logins = await profiled('login10', s10, async () => ({ result: await loginsAt(s10.base, users10, 'cost 10') }));
        record('login10', logins.result, round);
      },
      async (round) => record('ceiling12', await ceilingAt(12), round),
      async (round) => record('login12', await loginsAt(s12.base, users12, 'cost 12'), round),
      // The login storm: the cost-12 server's JwtGuard route idle, and while logins run on it.
      async (round) => record('jwtIdle12', await get('jwtIdle12'), round),
      async (round) => {
        const storm = await armLoad('login loop (storm)', SCRIPTS.loginLoop, loginSpec(s12.base, users12));
        const jwtUnderStorm = await armLoad('autocannon (storm)', SCRIPTS.cannon, cannonSpec(routes.jwtIdle12));
        storm.send({ type: 'go' });
        jwtUnderStorm.send({ type: 'go' });
        const [jwtResult, stormResult] = await Promise.all([collect(jwtUnderStorm, cannonTimeout), collect(storm, loginTimeout)]);
        record('stormJwt', jwtResult.result, round);
        record('stormLogins', stormResult.result, round);
      },
    ];
    for (let round = 0; round < options.rounds; round++) {
      for (const step of round % 2 === 0 ? steps : [...steps].reverse()) {
        await step(round);
        await sleep(PAUSE_MS);
      }
    }

    const summary = summarise(samples);
    const failures = summary.rows.reduce((sum, row) => sum + row.failures, 0);
    const elapsedS = Math.round((Date.now() - started) / 1000);
    const settings = {
      mode: options.mode,
      rounds: options.rounds,
      durationS: options.durationS,
      warmupS: options.warmupS,
      connections: options.connections,
      loginConcurrency: options.loginConcurrency,
      database: database.description,
      cpus: cpus().length,
      node: process.version,
      threadPool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
      elapsedS,
      /** The machine's 1-minute load average when the run started and ended: other work on it. */
      loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ settings, ...summary, samples: Object.fromEntries(samples), failures }, null, 2)}\n`);
    } else {
      const heading = [
        `nest-auth-backend bench (${options.mode}): ${options.rounds} interleaved round(s), ${options.durationS} s each after ${options.warmupS} s warm-up; ` +
          `${options.connections} connections (GET, refresh), ${options.loginConcurrency} logins in flight; ${settings.cpus} CPUs, Node ${settings.node}, ` +
          `UV_THREADPOOL_SIZE ${settings.threadPool}; ${database.description}; ${elapsedS} s; ` +
          `load average ${settings.loadAverage.start.toFixed(1)} at the start, ${settings.loadAverage.end.toFixed(1)} at the end`,
        'req/s and p99 are medians over rounds (odd rounds run the scenarios in reverse order); a ratio is the median of the per-round ratios.',
      ];
      if (options.mode === 'smoke')
        heading.push('SMOKE RUN: far too short for its figures or ratios to mean anything; it only checks that every scenario runs.');
      process.stdout.write(`${formatText(summary, heading)}\n`);
    }
    if (failures > 0) {
      log(`${failures} request(s) failed: the figures are not comparable`);
      process.exitCode = 1;
    } else {
      succeeded = true;
    }
  } finally {
    // The profiles are written as the servers exit, so they are read after the clean-up stopped them.
    const report = profileDirs === undefined ? undefined : () => reportProfile(profileDirs, profileWindows);
    // Kept with the profiles, so a closer look (function by function) can pick the same windows.
    if (report !== undefined) writeFileSync(join(runDir, 'profile-windows.json'), JSON.stringify(Object.fromEntries(profileWindows)));
    await (report === undefined ? cleanup() : stopAll(new Set(holder.child === undefined ? [] : [holder.child])));
    if (report !== undefined) {
      try {
        process.stdout.write(`\n${report()}\n`);
      } catch (error) {
        log(`could not read the profiles: ${String(error)}`);
      }
      await cleanup();
    }
    clearTimeout(watchdog);
  }
}

function reportProfile(dirs: { reference: string; product: string }, windows: ReadonlyMap<Key, ProfileWindow[]>): string {
  const column = (label: string, dir: string, key: Key) => {
    const measured = windows.get(key) ?? [];
    return { label, perRequest: cpuPerRequest(dir, measured), windows: measured };
  };
  return formatProfile([
    column('reference', dirs.reference, 'reference'),
    column('unguarded', dirs.product, 'unguarded'),
    column('JwtGuard', dirs.product, 'jwt'),
    column('SessionGuard', dirs.product, 'session'),
    column('refresh', dirs.product, 'refresh'),
    // bcrypt runs on libuv's threads, which --cpu-prof does not sample: this is the rest of a login.
    column('login, cost 10', dirs.product, 'login10'),
  ]);
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
