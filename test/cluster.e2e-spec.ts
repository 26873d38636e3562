import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { MIGRATIONS } from '../migrations';
import { migrateThrough } from '../src/database/run-migrations';
import { testSecrets } from './utils/create-test-app';
import { login, me, TokenPair, within } from './utils/jwt-helpers';
import { createTestDatabase, TestDatabase } from './utils/test-database';
import { startTestServer, TestServer } from './utils/test-server';
import { PASSWORD, registerUser } from './utils/users';

/**
 * Several instances of the production build on one database, every connection of theirs (the pool
 * and the revocation listener) through a transaction-mode PgBouncer, only migrations direct; with
 * CLUSTER_REDIS_URL, Redis as well. `.ci/cluster` starts PgBouncer and runs this file twice.
 */
const pooler = process.env.CLUSTER_PGBOUNCER_URL;
const redisUrl = process.env.CLUSTER_REDIS_URL;
const THROTTLE_LOGIN_LIMIT = 2;
const PER_IP = 4 * THROTTLE_LOGIN_LIMIT;

if (pooler === undefined) {
  process.stdout.write('test/cluster.e2e-spec.ts skipped: CLUSTER_PGBOUNCER_URL is unset (bash .ci/cluster runs it with PgBouncer)\n');
}

/** The same database, reached through the pooler. */
function throughPooler(database: TestDatabase): string {
  const url = new URL(database.url);
  const bouncer = new URL(pooler ?? '');
  url.host = bouncer.host;
  return url.toString();
}

const describeCluster = pooler === undefined ? describe.skip : describe;

describeCluster(`several instances behind PgBouncer (transaction mode)${redisUrl === undefined ? '' : ' with Redis'}`, () => {
  const redisKeyPrefix = `cluster-e2e-${randomBytes(6).toString('hex')}:`;
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    const pooled = throughPooler(database);
    const env = {
      ...testSecrets(),
      DATABASE_URL: pooled,
      DATABASE_LISTEN_URL: pooled,
      DATABASE_MIGRATION_URL: database.url,
      THROTTLE_LOGIN_LIMIT: String(THROTTLE_LOGIN_LIMIT),
      THROTTLE_TTL: '60',
      LOG_LEVEL: 'warn',
      // The throttling case comes from an address of its own (the other cases log in from 127.0.0.1).
      TRUST_PROXY: '1',
      ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: redisKeyPrefix }),
    };
    [a, b] = await Promise.all([startTestServer({ database, env }), startTestServer({ database, env })]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await database?.drop();
  }, 30_000);

  it('notices that LISTEN through the pooler does not deliver (the probe), and says so once in the log', async () => {
    const deaf = 'does not receive notifications';
    expect(await within(5000, async () => a.output().includes(deaf) && b.output().includes(deaf))).toBeDefined();
  });

  (redisUrl === undefined ? it.skip : it)('subscribes both instances to the Redis revocation channel', async () => {
    const redis = new Redis(redisUrl ?? '');
    try {
      const count = async () => ((await redis.pubsub('NUMSUB', `${redisKeyPrefix}revocations`)) as [string, number])[1];
      expect(await within(5000, async () => (await count()) === 2)).toBeDefined();
    } finally {
      redis.disconnect();
    }
  });

  it('refuses on instance B, within 1 second, an access token logged out through instance A', async () => {
    await registerUser(a, 'clusteruser');
    for (let round = 0; round < 3; round++) {
      const pair = await login(a, 'clusteruser');
      expect((await me(b, pair.accessToken)).status).toBe(200);

      await request(a.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${pair.accessToken}`).expect(204);

      expect((await me(a, pair.accessToken)).status).toBe(401);
      expect(await within(1000, async () => (await me(b, pair.accessToken)).status === 401)).toBeDefined();
    }
  });

  it('refuses on A, within 1 second, every older token after a logout-all through B', async () => {
    const pair = await login(b, 'clusteruser');
    expect((await me(a, pair.accessToken)).status).toBe(200);

    await request(b.http).post('/auth/logout-all').set('Authorization', `Bearer ${pair.accessToken}`).expect(204);

    expect(await within(1000, async () => (await me(a, pair.accessToken)).status === 401)).toBeDefined();
  });

  it('rotates refresh tokens through the pooler: concurrent chains alternating between the instances', async () => {
    // Each chain a user and an address of its own, within the per-account and per-IP allowances.
    const chains = Array.from({ length: 4 }, (_, index) => ({ username: `rotator${index}`, address: `198.51.100.${index + 1}` }));
    for (const { username } of chains) await registerUser(a, username);
    await Promise.all(
      chains.map(async ({ username, address }) => {
        const started = await request(a.http)
          .post('/auth/jwt/login')
          .set('X-Forwarded-For', address)
          .send({ username, password: PASSWORD });
        expect(started.status).toBe(200);
        let pair = started.body as TokenPair;
        for (let step = 0; step < PER_IP - 2; step++) {
          const [spender, checker] = step % 2 === 0 ? [b, a] : [a, b];
          const response = await request(spender.http)
            .post('/auth/jwt/refresh')
            .set('X-Forwarded-For', address)
            .send({ refreshToken: pair.refreshToken });
          expect(response.status).toBe(200);
          pair = response.body as TokenPair;
          expect((await me(checker, pair.accessToken)).status).toBe(200);
        }
      }),
    );
    // PgBouncer 1.18 keeps no prepared statements: an instance falls back to unnamed ones, saying so once.
    for (const instance of [a, b]) expect(instance.output().split('does not keep prepared statements').length).toBeLessThanOrEqual(2);
  });

  it('counts the per-IP allowance once for the cluster: the first 429 is request 4 × THROTTLE_LOGIN_LIMIT + 1, whichever instance gets it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_IP + 2; i++) {
      const target = i % 2 === 0 ? a : b;
      // A new name each time: the per-account limit never applies, only the per-IP one.
      const response = await request(target.http)
        .post('/auth/jwt/login')
        .set('X-Forwarded-For', '203.0.113.9')
        .send({ username: `nobody${i}`, password: 'wrong password!' });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    }

    expect(statuses).toEqual([...Array<number>(PER_IP).fill(401), 429, 429]);
    const rows = await a.query<{ n: string }>("SELECT count(*)::text AS n FROM ip_throttle_counts WHERE key LIKE '%203.0.113.9'");
    expect(Number(rows[0]?.n)).toBe(redisUrl === undefined ? 1 : 0);
  });

  it('migrates through the pooler too: concurrent runs, then a later start, none left waiting on a lock', async () => {
    const fresh = await createTestDatabase();
    try {
      const pooled = throughPooler(fresh);
      const bounded = (run: Promise<void>) =>
        Promise.race([
          run,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('migration lock never granted')), 20_000).unref()),
        ]);
      await Promise.all([bounded(migrateThrough(pooled)), bounded(migrateThrough(pooled))]);
      await bounded(migrateThrough(pooled));

      const server = await startTestServer({
        database: fresh,
        env: { ...testSecrets(), DATABASE_URL: pooled, DATABASE_MIGRATION_URL: pooled },
      });
      try {
        const rows = await server.query<{ n: string }>('SELECT count(*)::text AS n FROM migrations');
        expect(Number(rows[0]?.n)).toBe(MIGRATIONS.length);
      } finally {
        await server.close();
      }
    } finally {
      await fresh.drop();
    }
  }, 60_000);
});
