import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { decode, login, me, TokenPair } from './utils/jwt-helpers';
import { registerUser } from './utils/users';

describe('refresh retries with Idempotency-Key', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await registerUser(t, 'retrier');
  });

  afterAll(async () => {
    await t.close();
  });

  const refreshWithKey = (refreshToken: string, key?: string) => {
    const call = request(t.http).post('/auth/jwt/refresh');
    return (key === undefined ? call : call.set('Idempotency-Key', key)).send({ refreshToken });
  };
  const familyRevokedAt = async (pair: TokenPair) =>
    (
      await t.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM refresh_families WHERE id = $1', [
        decode(pair.accessToken).payload.sid,
      ])
    )[0]?.revoked_at;
  const reuseEvents = (pair: TokenPair) =>
    t.query("SELECT id FROM auth_events WHERE type = 'refresh.reuse_detected' AND details->>'familyId' = $1", [
      decode(pair.accessToken).payload.sid,
    ]);

  it('answers a retry with the same key and token with the same successor, and the family lives', async () => {
    const pair = await login(t, 'retrier');
    const key = randomUUID();
    const first = (await refreshWithKey(pair.refreshToken, key).expect(200)).body as TokenPair;

    const retry = await refreshWithKey(pair.refreshToken, key);

    expect(retry.status).toBe(200);
    expect(retry.body.refreshToken).toBe(first.refreshToken);
    expect(retry.body.accessToken).not.toBe(first.accessToken);
    expect((await me(t, retry.body.accessToken)).status).toBe(200);
    expect((await me(t, first.accessToken)).status).toBe(200);
    expect(await familyRevokedAt(pair)).toBeNull();
    expect(await reuseEvents(pair)).toHaveLength(0);
    const next = await refreshWithKey(first.refreshToken, randomUUID());
    expect(next.status).toBe(200);
  });

  it('answers concurrent attempts with one key and token with one successor', async () => {
    const pair = await login(t, 'retrier');
    const key = randomUUID();

    const answers = await Promise.all(Array.from({ length: 5 }, () => refreshWithKey(pair.refreshToken, key)));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((answer) => answer.body.refreshToken)).size).toBe(1);
    const children = await t.query('SELECT id FROM refresh_tokens WHERE family_id = $1 AND parent_id IS NOT NULL', [
      decode(pair.accessToken).payload.sid,
    ]);
    expect(children).toHaveLength(1);
    expect(await familyRevokedAt(pair)).toBeNull();
  });

  it.each([
    ['another key', randomUUID()],
    ['no key', undefined],
  ])('treats a spent token sent with %s as reuse: 401, family revoked, audited', async (_label, otherKey) => {
    const pair = await login(t, 'retrier');
    const first = (await refreshWithKey(pair.refreshToken, randomUUID()).expect(200)).body as TokenPair;

    const reuse = await refreshWithKey(pair.refreshToken, otherKey);

    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect(await familyRevokedAt(pair)).not.toBeNull();
    expect(await reuseEvents(pair)).toHaveLength(1);
    expect((await refreshWithKey(first.refreshToken)).status).toBe(401);
  });

  it('treats a retry of a refresh that sent no key as reuse', async () => {
    const pair = await login(t, 'retrier');
    await refreshWithKey(pair.refreshToken).expect(200);

    expect((await refreshWithKey(pair.refreshToken, randomUUID())).status).toBe(401);
    expect(await familyRevokedAt(pair)).not.toBeNull();
  });

  it('treats a retry more than 60 s after the refresh as reuse', async () => {
    const pair = await login(t, 'retrier');
    const key = randomUUID();
    await refreshWithKey(pair.refreshToken, key).expect(200);
    // The refresh happened 61 s ago, as far as the spent row says.
    await t.query("UPDATE refresh_tokens SET used_at = used_at - interval '61 seconds' WHERE token_hash = $1", [
      createHash('sha256').update(pair.refreshToken).digest('hex'),
    ]);

    const late = await refreshWithKey(pair.refreshToken, key);

    expect(late.status).toBe(401);
    expect(late.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect(await familyRevokedAt(pair)).not.toBeNull();
  });

  it('treats a retry after the successor was spent as reuse', async () => {
    const pair = await login(t, 'retrier');
    const key = randomUUID();
    const first = (await refreshWithKey(pair.refreshToken, key).expect(200)).body as TokenPair;
    await refreshWithKey(first.refreshToken).expect(200);

    expect((await refreshWithKey(pair.refreshToken, key)).status).toBe(401);
    expect(await familyRevokedAt(pair)).not.toBeNull();
  });

  it('stores the successor and the key only hashed', async () => {
    const pair = await login(t, 'retrier');
    const key = randomUUID();
    const first = (await refreshWithKey(pair.refreshToken, key).expect(200)).body as TokenPair;

    const rows = await t.query<{ row: string }>('SELECT row_to_json(t)::text AS row FROM refresh_tokens t WHERE family_id = $1', [
      decode(pair.accessToken).payload.sid,
    ]);
    const dump = rows.map((row) => row.row).join('\n');
    expect(dump).not.toContain(first.refreshToken);
    expect(dump).not.toContain(pair.refreshToken);
    expect(dump).not.toContain(key);
    expect(dump).toContain(createHash('sha256').update(first.refreshToken).digest('hex'));
    expect(dump).toContain(createHash('sha256').update(key).digest('hex'));
  });

  it.each([
    ['empty', ''],
    ['too short', 'abc'],
    ['too long', 'k'.repeat(129)],
    ['with a space', 'bad key value'],
    ['with a comma (sent twice)', 'aaaaaaaa, bbbbbbbb'],
  ])('refuses an Idempotency-Key that is %s with 400 and spends nothing', async (_label, key) => {
    const pair = await login(t, 'retrier');

    const response = await refreshWithKey(pair.refreshToken, key);

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect((await refreshWithKey(pair.refreshToken)).status).toBe(200);
  });
});
