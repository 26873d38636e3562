/**
 * `npm run bench:cluster`: three instances of the production build on one database; revocations
 * (logouts) issued on the first, the time until each of the other two refuses the token measured,
 * over LISTEN/NOTIFY (direct connections), Redis (listener behind PgBouncer, so deaf) and the
 * polled event log (everything behind PgBouncer, no Redis); then the guarded route's throughput
 * (autocannon) with a live listener, with the polled log instead, and failing closed (a database
 * check per request). Needs PostgreSQL (DATABASE_URL, default the local server), pgbouncer on the
 * PATH or in /usr/sbin, and Redis at REDIS_URL (default redis://127.0.0.1:6379; its mode is skipped
 * when it does not answer). Options: --samples N (default 100), --seconds N (default 5).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';

const MAIN = resolve(__dirname, '../../../../dist/src/main.js');
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SAMPLES = numberOption('--samples', 100);
const SECONDS = numberOption('--seconds', 5);
const PASSWORD = 'a decent passphrase';

interface Instance {
  readonly url: string;
  readonly child: ChildProcess;
  output: string;
}

interface Mode {
  readonly name: string;
  readonly pooled: boolean;
  readonly redis: boolean;
}

function numberOption(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

function withDatabase(url: string, database: string, hostPort?: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (hostPort !== undefined) parsed.host = hostPort;
  return parsed.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const wait = (ms: number) => new Promise((done) => setTimeout(done, ms));

function redisAnswers(): Promise<boolean> {
  const url = new URL(REDIS_URL);
  return new Promise((done) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port || 6379) });
    socket.setTimeout(1000, () => (socket.destroy(), done(false)));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => (socket.destroy(), done(data.toString().startsWith('+PONG'))));
  });
}

/** A private PgBouncer in transaction mode in front of the server of DATABASE_URL. */
async function startPgBouncer(): Promise<{ hostPort: string; stop(): void }> {
  const binary = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path)) ?? 'pgbouncer';
  const dir = mkdtempSync(join(tmpdir(), 'bench-pgbouncer-'));
  const port = await freePort();
  const server = new URL(SERVER_URL);
  writeFileSync(join(dir, 'userlist.txt'), `"${decodeURIComponent(server.username || 'postgres')}" ""\n`);
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'pool_mode = transaction',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'max_client_conn = 1000',
      'default_pool_size = 40',
      'ignore_startup_parameters = extra_float_digits,application_name',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, file), uid, -1);
  }
  const child = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const up = await new Promise<boolean>((done) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
    });
    if (up) break;
    await wait(100);
  }
  return { hostPort: `127.0.0.1:${port}`, stop: () => (child.kill('SIGTERM'), rmSync(dir, { recursive: true, force: true })) };
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const scratch = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      DATA_DIR: scratch,
      MAIL_OUTBOX_DIR: join(scratch, 'outbox'),
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const instance: Instance = { url: `http://127.0.0.1:${port}`, child, output: '' };
  child.stdout?.on('data', (chunk: Buffer) => (instance.output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (instance.output += chunk.toString()));
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${instance.url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return instance;
    if (child.exitCode !== null) break;
    await wait(100);
  }
  child.kill('SIGKILL');
  throw new Error(`instance did not become healthy:\n${instance.output}`);
}

async function stopInstance(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  const exited = new Promise((done) => instance.child.once('exit', done));
  instance.child.kill('SIGTERM');
  await exited;
}

async function post(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function status(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/auth/jwt/me`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

async function login(instance: Instance, username: string): Promise<string> {
  const response = await post(`${instance.url}/auth/jwt/login`, { username, password: PASSWORD });
  if (response.status !== 200) throw new Error(`login: ${response.status}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** Milliseconds from the logout's answer on `issuer` until `observer` refuses the token (polled back to back). */
async function refusedAfter(observer: Instance, token: string, since: number): Promise<number> {
  for (;;) {
    if ((await status(observer.url, token)) === 401) return performance.now() - since;
    if (performance.now() - since > 5000) throw new Error('not refused within 5 s');
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function propagation(instances: Instance[], username: string): Promise<{ p50: number; p99: number; max: number; n: number }> {
  const [issuer, ...observers] = instances;
  if (issuer === undefined) throw new Error('no instance');
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const token = await login(issuer, username);
    for (const observer of observers)
      if ((await status(observer.url, token)) !== 200) throw new Error('token not accepted before the logout');
    // Start at a random point of the poll period, as real revocations do.
    await wait(Math.random() * 300);
    const response = await post(`${issuer.url}/auth/jwt/logout`, undefined, token);
    if (response.status !== 204) throw new Error(`logout: ${response.status}`);
    const since = performance.now();
    samples.push(...(await Promise.all(observers.map((observer) => refusedAfter(observer, token, since)))));
  }
  samples.sort((x, y) => x - y);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples[samples.length - 1] ?? Number.NaN, n: samples.length };
}

async function throughput(instance: Instance, token: string): Promise<{ rps: number; p99: number; non2xx: number }> {
  const result = await autocannon({
    url: `${instance.url}/auth/jwt/me`,
    headers: { authorization: `Bearer ${token}` },
    connections: 20,
    duration: SECONDS,
  });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx };
}

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm run build`);
  const bouncer = await startPgBouncer();
  const redis = await redisAnswers();
  const secrets = {
    SESSION_SECRET: randomBytes(32).toString('hex'),
    JWT_SECRET: randomBytes(32).toString('hex'),
    PASSWORD_PEPPER: randomBytes(32).toString('hex'),
  };
  const modes: Mode[] = [
    { name: 'LISTEN/NOTIFY (direct)', pooled: false, redis: false },
    ...(redis ? [{ name: 'Redis (listener behind PgBouncer)', pooled: true, redis: true }] : []),
    { name: 'polled event log (all behind PgBouncer)', pooled: true, redis: false },
  ];
  const lines: string[] = [];
  try {
    for (const mode of modes) {
      const database = `bench_cluster_${randomBytes(5).toString('hex')}`;
      await admin(`CREATE DATABASE "${database}"`);
      const direct = withDatabase(SERVER_URL, database);
      const url = mode.pooled ? withDatabase(SERVER_URL, database, bouncer.hostPort) : direct;
      const env = {
        ...secrets,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        BCRYPT_COST: '4',
        THROTTLE_LOGIN_LIMIT: '0',
        DATABASE_URL: url,
        DATABASE_LISTEN_URL: url,
        DATABASE_MIGRATION_URL: direct,
        ...(mode.redis ? { REDIS_URL, REDIS_KEY_PREFIX: `bench-${database}:` } : {}),
      };
      const first = await startInstance(env);
      const instances = [first, ...(await Promise.all([startInstance(env), startInstance(env)]))];
      try {
        const username = 'benchuser';
        const registered = await post(`${first.url}/auth/register`, { username, email: `${username}@example.com`, password: PASSWORD });
        if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
        await wait(1000);
        const figures = await propagation(instances, username);
        const line = `${mode.name}: propagation to 2 other instances, ${figures.n} samples: p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms, max ${figures.max.toFixed(1)} ms`;
        process.stdout.write(`${line}\n`);
        lines.push(line);
        if (!mode.redis) {
          const token = await login(first, username);
          const observer = instances[1] ?? first;
          const memory = await throughput(observer, token);
          const label = mode.pooled ? 'no live listener, log polled (memory)' : 'live listener (memory)';
          const throughputLine = `GET /auth/jwt/me, ${label}: ${memory.rps.toFixed(0)} req/s, p99 ${memory.p99} ms, non-2xx ${memory.non2xx}`;
          process.stdout.write(`${throughputLine}\n`);
          lines.push(throughputLine);
          if (mode.pooled) {
            // Neither channel current: reads of the log wait behind a lock, every request asks the database.
            const blocker = new Client({ connectionString: direct });
            await blocker.connect();
            await blocker.query('BEGIN');
            await blocker.query('LOCK TABLE revocation_events IN ACCESS EXCLUSIVE MODE');
            await wait(1500);
            const closed = await throughput(observer, token);
            await blocker.query('ROLLBACK');
            await blocker.end();
            const closedLine = `GET /auth/jwt/me, fail closed (database check per request, through PgBouncer): ${closed.rps.toFixed(0)} req/s, p99 ${closed.p99} ms, non-2xx ${closed.non2xx}`;
            process.stdout.write(`${closedLine}\n`);
            lines.push(closedLine);
          }
        }
      } finally {
        await Promise.all(instances.map(stopInstance));
        await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      }
    }
  } finally {
    bouncer.stop();
  }
  process.stdout.write(`\n${lines.map((line) => `- ${line}`).join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:cluster failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
