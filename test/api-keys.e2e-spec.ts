import { jest } from '@jest/globals';
import request from 'supertest';
import type { App } from 'supertest/types';
import { ApiKeyReportsModule } from './fixtures/api-key-reports.module';
import { createTestApp, TestApp } from './utils/create-test-app';
import { within } from './utils/jwt-helpers';
import { startTestServer, TestServer } from './utils/test-server';
import { TestUser, registerUniqueUser } from './utils/users';

const ADMIN = { username: 'keymaster', email: 'keymaster@example.com', password: 'the keymaster passphrase' };
const PEPPER = 'shared-pepper-of-the-api-keys-spec-0123456789';

interface CreatedKey {
  id: string;
  name: string;
  key: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

// Instance A is the production build in its own process; instance B runs in this process with a product
// module of API-key routes. One database, as production runs several instances.
describe('API keys', () => {
  let a: TestServer;
  let b: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    a = await startTestServer({
      env: {
        PASSWORD_PEPPER: PEPPER,
        LOG_LEVEL: 'info',
        BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      },
    });
    b = await createTestApp({ database: a.database, imports: [ApiKeyReportsModule], env: { PASSWORD_PEPPER: PEPPER } });
    adminToken = await accessToken(a.http, ADMIN);
  }, 90_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  }, 30_000);

  async function accessToken(http: App, user: Pick<TestUser, 'username' | 'password'>): Promise<string> {
    const response = await request(http).post('/auth/jwt/login').send({ username: user.username, password: user.password });
    if (response.status !== 200) throw new Error(`login: ${response.status}`);
    return response.body.accessToken as string;
  }
  const bearer = (call: request.Test, token: string) => call.set('Authorization', `Bearer ${token}`);
  async function createKey(http: App, token: string, body: Record<string, unknown>): Promise<CreatedKey> {
    const response = await bearer(request(http).post('/auth/api-keys'), token).send(body);
    if (response.status !== 201) throw new Error(`create key: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as CreatedKey;
  }
  const readReports = (key: string) => bearer(request(b.http).get('/key-reports'), key);
  const keyCount = async () => Number((await b.query<{ n: string }>('SELECT count(*) AS n FROM api_keys'))[0]?.n);

  it('hands the key out once, recognisably prefixed, and stores only a keyed hash of it', async () => {
    const user = await registerUniqueUser(b, 'keyowner');
    const token = await accessToken(b.http, user);
    const response = await bearer(request(b.http).post('/auth/api-keys'), token).send({
      name: 'nightly export',
      scopes: ['reports:read'],
      expiresInDays: 30,
    });

    expect(response.status).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const created = response.body as CreatedKey;
    expect(Object.keys(created).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'key', 'lastUsedAt', 'name', 'scopes']);
    expect(created).toMatchObject({ name: 'nightly export', scopes: ['reports:read'], lastUsedAt: null });
    expect(created.key).toMatch(/^nab_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(created.expiresAt ?? '') - Date.parse(created.createdAt)).toBeGreaterThan(30 * 86_400_000 - 5_000);

    const rows = await b.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [created.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(created.key.slice(4));
    expect(rows[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/);

    const listed = await bearer(request(b.http).get('/auth/api-keys'), token).expect(200);
    expect(listed.body).toEqual([
      {
        id: created.id,
        name: 'nightly export',
        scopes: ['reports:read'],
        createdAt: created.createdAt,
        expiresAt: created.expiresAt,
        lastUsedAt: null,
      },
    ]);

    const audit = await b.query<{ type: string; details: unknown }>(
      "SELECT type, details FROM auth_events WHERE user_id = $1 AND type LIKE 'api_key.%'",
      [user.id],
    );
    expect(audit.map(({ type }) => type)).toEqual(['api_key.created']);
    expect(JSON.stringify(audit)).not.toContain(created.key.slice(4));
  });

  it.each([
    ['no name', { scopes: [] }],
    ['an empty name', { name: '' }],
    ['a name with a control character', { name: 'a\u0000b' }],
    ['a scope with a space', { name: 'k', scopes: ['reports read'] }],
    ['a scope that is not a string', { name: 'k', scopes: [1] }],
    ['scopes that are not a list', { name: 'k', scopes: 'reports:read' }],
    ['a repeated scope', { name: 'k', scopes: ['a', 'a'] }],
    ['zero days', { name: 'k', expiresInDays: 0 }],
    ['a fraction of a day', { name: 'k', expiresInDays: 1.5 }],
    ['a string of days', { name: 'k', expiresInDays: '30' }],
    ['an unknown property', { name: 'k', userId: '00000000-0000-0000-0000-000000000000' }],
  ])('refuses %s with 400 and creates nothing', async (_label, body) => {
    const token = await accessToken(b.http, await registerUniqueUser(b, 'badkey'));
    const before = await keyCount();

    expect((await bearer(request(b.http).post('/auth/api-keys'), token).send(body)).status).toBe(400);
    expect(await keyCount()).toBe(before);
  });

  it('reaches a product route with the scope it needs, is 403 on one that needs another, and 401 when it is no key', async () => {
    const user = await registerUniqueUser(b, 'scoped');
    const { key } = await createKey(b.http, await accessToken(b.http, user), { name: 'reader', scopes: ['reports:read'] });

    const reached = await readReports(key);
    expect(reached.status).toBe(200);
    expect(reached.body).toEqual({ userId: user.id, via: 'api_key', scopes: ['reports:read'] });

    const forbidden = await bearer(request(b.http).get('/key-reports/export'), key);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="reports:export"');

    const anonymous = await request(b.http).get('/key-reports');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    const jwt = await accessToken(b.http, user);
    for (const wrong of [`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, 'nab_short', jwt]) {
      const refused = await readReports(wrong);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    }
    // A key is not an access token: the JWT guard refuses it.
    expect((await bearer(request(b.http).get('/auth/jwt/me'), key)).status).toBe(401);
  });

  it('answers from memory: no query per request, and lastUsedAt written once, not per request', async () => {
    const user = await registerUniqueUser(b, 'quiet');
    const created = await createKey(b.http, await accessToken(b.http, user), { name: 'busy', scopes: ['reports:read'] });
    expect((await readReports(created.key)).status).toBe(200);
    const lastUsedAt = async () =>
      (await b.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_keys WHERE id = $1', [created.id]))[0]?.last_used_at ??
      null;
    // The first use is recorded, without holding up the request.
    expect(await within(1000, async () => (await lastUsedAt()) !== null)).toBeDefined();
    const firstUse = await lastUsedAt();

    const query = jest.spyOn(b.dataSource, 'query');
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => readReports(created.key)));
      expect(answers.map(({ status }) => status)).toEqual(Array(20).fill(200));
      // The listener's liveness probe (a NOTIFY every 100 ms through the pool) is the only query, whatever the traffic.
      expect(query.mock.calls.filter(([sql]) => !String(sql).startsWith('SELECT pg_notify'))).toEqual([]);
    } finally {
      query.mockRestore();
    }
    expect(await lastUsedAt()).toEqual(firstUse);
  });

  it('a revoked key stops at once where it was revoked and within 1 s on another instance', async () => {
    const user = await registerUniqueUser(b, 'revoker');
    const created = await createKey(b.http, await accessToken(b.http, user), { name: 'ci', scopes: ['reports:read', 'introspect'] });
    const introspectOnA = () => bearer(request(a.http).post('/auth/introspect'), created.key).send({ token: created.key });
    expect((await readReports(created.key)).status).toBe(200);
    expect((await within(1000, async () => (await introspectOnA()).status === 200)) ?? 'never').not.toBe('never');

    const tokenOnA = await accessToken(a.http, user);
    expect((await bearer(request(a.http).delete(`/auth/api-keys/${created.id}`), tokenOnA)).status).toBe(204);

    expect((await introspectOnA()).status).toBe(401);
    const took = await within(1000, async () => (await readReports(created.key)).status === 401);
    expect(took ?? 'more than 1 s').toBeLessThanOrEqual(1000);
    expect((await bearer(request(a.http).get('/auth/api-keys'), tokenOnA)).body).toEqual([]);
  });

  it("another user's key is 404 and keeps working; of concurrent deletes of one key exactly one is 204", async () => {
    const owner = await registerUniqueUser(b, 'owner');
    const other = await registerUniqueUser(b, 'other');
    const ownerToken = await accessToken(b.http, owner);
    const created = await createKey(b.http, ownerToken, { name: 'mine', scopes: ['reports:read'] });

    expect((await bearer(request(b.http).delete(`/auth/api-keys/${created.id}`), await accessToken(b.http, other))).status).toBe(404);
    expect((await bearer(request(b.http).delete('/auth/api-keys/not-a-uuid'), ownerToken)).status).toBe(400);
    expect((await readReports(created.key)).status).toBe(200);

    const answers = await Promise.all(
      Array.from({ length: 5 }, () => bearer(request(b.http).delete(`/auth/api-keys/${created.id}`), ownerToken)),
    );
    expect(answers.map(({ status }) => status).sort()).toEqual([204, 404, 404, 404, 404]);
    expect((await readReports(created.key)).status).toBe(401);
    const audit = await b.query<{ type: string }>("SELECT type FROM auth_events WHERE user_id = $1 AND type = 'api_key.revoked'", [
      owner.id,
    ]);
    expect(audit).toHaveLength(1);
  });

  it("a disabled user's keys stop (within 1 s on the other instance) and come back when the user is enabled", async () => {
    const user = await registerUniqueUser(b, 'disabled');
    const { key } = await createKey(b.http, await accessToken(b.http, user), { name: 'k', scopes: ['reports:read'] });
    expect((await readReports(key)).status).toBe(200);

    expect((await bearer(request(a.http).post(`/admin/users/${user.id}/disable`), adminToken)).status).toBe(204);
    const took = await within(1000, async () => (await readReports(key)).status === 401);
    expect(took ?? 'more than 1 s').toBeLessThanOrEqual(1000);

    expect((await bearer(request(a.http).post(`/admin/users/${user.id}/enable`), adminToken)).status).toBe(204);
    expect((await within(1000, async () => (await readReports(key)).status === 200)) ?? 'more than 1 s').toBeLessThanOrEqual(1000);
  });

  it("a deleted user's keys stop within 1 s on every instance, whatever deleted the user (here: SQL)", async () => {
    const user = await registerUniqueUser(b, 'deleted');
    const { key } = await createKey(b.http, await accessToken(b.http, user), { name: 'k', scopes: ['reports:read', 'introspect'] });
    expect((await readReports(key)).status).toBe(200);

    await a.query('DELETE FROM users WHERE id = $1', [user.id]);
    for (const answer of [() => readReports(key), () => bearer(request(a.http).post('/auth/introspect'), key).send({ token: key })]) {
      expect((await within(1000, async () => (await answer()).status === 401)) ?? 'more than 1 s').toBeLessThanOrEqual(1000);
    }
  });

  it('admins list any user’s keys and revoke any key', async () => {
    const user = await registerUniqueUser(b, 'managed');
    const created = await createKey(b.http, await accessToken(b.http, user), { name: 'server', scopes: ['reports:read'] });

    const listed = await bearer(request(a.http).get(`/admin/users/${user.id}/api-keys`), adminToken);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: created.id, name: 'server' })]);
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
    expect((await bearer(request(a.http).get('/admin/users/00000000-0000-4000-8000-000000000000/api-keys'), adminToken)).status).toBe(404);
    expect((await bearer(request(a.http).get(`/admin/users/${user.id}/api-keys`), await accessToken(a.http, user))).status).toBe(403);

    expect((await bearer(request(a.http).delete(`/admin/api-keys/${created.id}`), adminToken)).status).toBe(204);
    expect((await bearer(request(a.http).delete(`/admin/api-keys/${created.id}`), adminToken)).status).toBe(404);
    expect((await within(1000, async () => (await readReports(created.key)).status === 401)) ?? 'more than 1 s').toBeLessThanOrEqual(1000);
    const [event] = await b.query<{ actor_id: string }>(
      "SELECT actor_id FROM auth_events WHERE user_id = $1 AND type = 'api_key.revoked'",
      [user.id],
    );
    expect(event?.actor_id).not.toBe(user.id);
  });

  it('never writes a key to the log', async () => {
    const user = await registerUniqueUser(a, 'logged');
    const { key } = await createKey(a.http, await accessToken(a.http, user), { name: 'secret', scopes: ['introspect'] });
    await bearer(request(a.http).post('/auth/introspect'), key).send({ token: key });
    await bearer(request(a.http).post('/auth/introspect'), `${key}x`).send({ token: key });

    expect(a.output().length).toBeGreaterThan(0);
    expect(a.output()).not.toContain(key.slice(4));
  });
});
