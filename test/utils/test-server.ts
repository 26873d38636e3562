import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { testEnv } from './create-test-app';
import { createTestDatabase, TestDatabase } from './test-database';

const MAIN = resolve('dist/src/main.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * The production build running in a process of its own, as production runs it. For behaviour across
 * instances and for instances configured differently: passport keeps its strategies in one registry
 * per process, so two differently configured apps in one process would share one JwtStrategy.
 */
export interface TestServer {
  /** Base URL, usable wherever supertest takes an app. */
  readonly http: string;
  readonly config: AppConfig;
  readonly database: TestDatabase;
  query<T = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<T[]>;
  /** What the process printed (for a failing test's message). */
  output(): string;
  /** SIGTERM, then waits for the exit; drops the database unless it was handed in. */
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly env?: Record<string, string>;
  readonly database?: TestDatabase;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm test builds it first (npm run build)`);
  const database = options.database ?? (await createTestDatabase());
  const scratch = mkdtempSync(join(tmpdir(), 'auth-server-'));
  const port = await freePort();
  // options.env may route DATABASE_URL elsewhere (through a pooler to the same database).
  const env = { ...testEnv(scratch), DATABASE_URL: database.url, ...options.env, HOST: '127.0.0.1', PORT: String(port) };
  const config = loadConfig(env);
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const pool = new Pool({ connectionString: database.url, max: 2 });
  const http = `http://127.0.0.1:${port}`;
  const cleanUp = async () => {
    await pool.end();
    if (options.database === undefined) await database.drop();
    rmSync(scratch, { recursive: true, force: true });
  };
  if (!(await healthy(http, exited))) {
    child.kill('SIGKILL');
    await cleanUp();
    throw new Error(`the server did not become healthy:\n${output}`);
  }
  return {
    http,
    config,
    database,
    query: async (sql, parameters) => (await pool.query(sql, parameters)).rows,
    output: () => output,
    close: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      await cleanUp();
    },
  };
}

async function healthy(http: string, exited: Promise<number | null>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!gone && Date.now() < deadline) {
    const ok = await fetch(`${http}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return true;
    await new Promise((wait) => setTimeout(wait, 100));
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}
