import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { DestinationStream } from 'pino';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { createTestDatabase, TestDatabase } from './test-database';

/** Whatever the helpers send requests to: an in-process app or a server process. */
export interface TestTarget {
  readonly http: App | string;
  readonly config: AppConfig;
}

export interface TestApp {
  readonly app: NestExpressApplication;
  readonly http: App;
  readonly config: AppConfig;
  readonly database: TestDatabase;
  readonly dataSource: DataSource;
  query<T = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<T[]>;
  /** Closes the app; drops the database unless it was handed in (shared by several apps). */
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Environment overrides on top of the test defaults. */
  readonly env?: Record<string, string>;
  /** Share a database with another app instance (e.g. to test cross-instance revocation). */
  readonly database?: TestDatabase;
  /** Where the JSON logs go (LOG_LEVEL is silent unless the env overrides it). */
  readonly logDestination?: DestinationStream;
  /** Product modules to mount beside the service, as a team using it would. */
  readonly imports?: Array<Type | DynamicModule>;
}

/** Secrets for one spec file: random, long enough for production rules, never reused across runs. */
export function testSecrets(): Record<string, string> {
  return {
    SESSION_SECRET: randomBytes(32).toString('hex'),
    JWT_SECRET: randomBytes(32).toString('hex'),
    PASSWORD_PEPPER: randomBytes(32).toString('hex'),
  };
}

/** The test defaults: quiet, fast hashing, no throttling, files in `scratch`, fresh secrets. */
export function testEnv(scratch: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BCRYPT_COST: '4',
    THROTTLE_LOGIN_LIMIT: '0',
    DATA_DIR: scratch,
    MAIL_OUTBOX_DIR: join(scratch, 'outbox'),
    ...testSecrets(),
  };
}

/** Boots the real AppModule through the production set-up against a fresh database of its own. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const scratch = mkdtempSync(join(tmpdir(), 'auth-e2e-'));
  const config = loadConfig({ ...testEnv(scratch), ...options.env, DATABASE_URL: database.url });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config, options.logDestination), ...(options.imports ?? [])],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
  configureApp(app, config);
  try {
    await app.init();
  } catch (error) {
    // A start that fails half-way has already opened connections and timers: close them too.
    await app.close().catch(() => undefined);
    if (options.database === undefined) await database.drop();
    throw error;
  }
  const dataSource = app.get(DataSource);
  return {
    app,
    http: app.getHttpServer() as App,
    config,
    database,
    dataSource,
    query: (sql, parameters) => dataSource.query(sql, parameters),
    close: async () => {
      await app.close();
      if (options.database === undefined) await database.drop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
