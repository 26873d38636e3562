import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { AppConfig } from '../src/config/app-config';
import { loadConfig } from '../src/config/load-config';
import { startDatabase } from '../src/database/database-runtime';
import { BenchModule } from './bench.module';

/**
 * `npm run bench`: JwtGuard against an unguarded route of the same app, in one run.
 * Boots the real app (DATABASE_URL, or the embedded PostgreSQL) on a scratch database, logs a user
 * in, warms both routes up, then runs autocannon against GET /bench/open and GET /bench/jwt on
 * 127.0.0.1 in alternating rounds, so that drift of the machine's speed hits both alike.
 * BENCH_DURATION (seconds per route, default 12), BENCH_ROUNDS (default 3) and BENCH_CONNECTIONS
 * (default 10) tune it.
 */
const DURATION_S = Number(process.env.BENCH_DURATION ?? 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARM_UP_S = 3;
const ROUTES = ['/bench/open', '/bench/jwt'] as const;

interface Round {
  readonly requests: number;
  readonly seconds: number;
  readonly p99Ms: number;
  readonly failures: number;
}

interface Measurement {
  readonly route: string;
  readonly requestsPerSecond: number;
  /** The worst round's p99. */
  readonly p99Ms: number;
  readonly failures: number;
}

async function main(): Promise<void> {
  const runtime = await startDatabase(loadConfig({ LOG_LEVEL: 'silent', BCRYPT_COST: '4', THROTTLE_LOGIN_LIMIT: '0', ...process.env }));
  const serverUrl = runtime.config.databaseUrl;
  if (serverUrl === undefined) throw new Error('no database URL');
  const scratch = `bench_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE "${scratch}"`);
  try {
    const config: AppConfig = { ...runtime.config, databaseUrl: withDatabase(serverUrl, scratch) };
    const results = await benchmark(config);
    report(results);
  } finally {
    await onServer(serverUrl, `DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`);
    await runtime.stop();
  }
}

async function benchmark(config: AppConfig): Promise<Measurement[]> {
  @Module({ imports: [AppModule.forRoot(config), BenchModule] })
  class BenchAppModule {}

  const app = await NestFactory.create<NestExpressApplication>(BenchAppModule, { bodyParser: false, logger: false });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  try {
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const token = await logIn(base);
    const headers = { authorization: `Bearer ${token}` };
    const guarded = await fetch(`${base}/bench/jwt`, { headers });
    if (guarded.status !== 200) throw new Error(`GET /bench/jwt answered ${guarded.status} with the token`);

    for (const route of ROUTES) await run(`${base}${route}`, headers, WARM_UP_S);
    const rounds = new Map<string, Round[]>(ROUTES.map((route) => [route, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of ROUTES) rounds.get(route)?.push(await run(`${base}${route}`, headers, DURATION_S / ROUNDS));
    }
    return ROUTES.map((route) => summarise(route, rounds.get(route) ?? []));
  } finally {
    await app.close();
  }
}

async function logIn(base: string): Promise<string> {
  const username = `bench${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const json = { 'content-type': 'application/json' };
  const registered = await fetch(`${base}/auth/register`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username, email: `${username}@bench.invalid`, password }),
  });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
  const login = await fetch(`${base}/auth/jwt/login`, { method: 'POST', headers: json, body: JSON.stringify({ username, password }) });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  return ((await login.json()) as { accessToken: string }).accessToken;
}

async function run(url: string, headers: Record<string, string>, seconds: number): Promise<Round> {
  // A worker thread, so the load generator does not share the server's event loop.
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: seconds, workers: 1 });
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

function summarise(route: string, rounds: readonly Round[]): Measurement {
  const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.seconds, 0);
  return {
    route,
    requestsPerSecond: requests / seconds,
    p99Ms: Math.max(...rounds.map((round) => round.p99Ms)),
    failures: rounds.reduce((sum, round) => sum + round.failures, 0),
  };
}

function report(results: readonly Measurement[]): void {
  const [open, guarded] = results;
  if (open === undefined || guarded === undefined) throw new Error('missing measurement');
  const lines = [
    `autocannon on 127.0.0.1: ${CONNECTIONS} connections, ${DURATION_S} s per route in ${ROUNDS} alternating rounds, after ${WARM_UP_S} s of warm-up each`,
    ...results.map(
      (r) =>
        `GET ${r.route.padEnd(12)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s   p99 ${String(r.p99Ms).padStart(4)} ms   failed ${r.failures}`,
    ),
    `ratio guarded/unguarded (req/s): ${(guarded.requestsPerSecond / open.requestsPerSecond).toFixed(2)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (results.some((r) => r.failures > 0)) {
    process.stdout.write('warning: some requests failed; the numbers above are not comparable\n');
    process.exitCode = 1;
  }
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
