import { createHash } from 'node:crypto';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { decode, login, me, refresh, TokenPair } from './utils/jwt-helpers';
import { TestUser, registerUser } from './utils/users';

describe('refresh rotation and reuse detection (REFRESH_REUSE_GRACE=0)', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t, 'rotator');
  });

  afterAll(async () => {
    await t.close();
  });

  const familyRow = (familyId: unknown) =>
    t.query<{ revoked_at: Date | null; expires_at: Date }>('SELECT revoked_at, expires_at FROM refresh_families WHERE id = $1', [familyId]);

  it('spends the token: the next refresh gets a new token of the same family', async () => {
    const first = await login(t, 'rotator');
    const second = (await refresh(t, first.refreshToken).expect(200)).body as TokenPair;
    const third = (await refresh(t, second.refreshToken).expect(200)).body as TokenPair;

    expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
    expect(decode(third.accessToken).payload.sid).toBe(decode(first.accessToken).payload.sid);
    const chain = await t.query<{ parent_id: string | null; used_at: Date | null }>(
      'SELECT parent_id, used_at FROM refresh_tokens WHERE family_id = $1 ORDER BY created_at',
      [decode(first.accessToken).payload.sid],
    );
    expect(chain.map((row) => row.used_at !== null)).toEqual([true, true, false]);
    expect(chain[0]?.parent_id).toBeNull();
    expect(chain[1]?.parent_id).not.toBeNull();
  });

  it('treats a spent token as reuse: 401, then the whole family is dead, and another family lives on', async () => {
    const stolen = await login(t, 'rotator');
    const otherDevice = await login(t, 'rotator');
    const rotated = (await refresh(t, stolen.refreshToken).expect(200)).body as TokenPair;
    expect((await me(t, rotated.accessToken)).status).toBe(200);

    const reuse = await refresh(t, stolen.refreshToken);

    expect(reuse.status).toBe(401);
    expect(reuse.body).toEqual({ statusCode: 401, code: 'REFRESH_TOKEN_REUSED', message: expect.any(String) });
    expect((await refresh(t, rotated.refreshToken)).status).toBe(401);
    const meAfter = await me(t, rotated.accessToken);
    expect(meAfter.status).toBe(401);
    expect(meAfter.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect((await me(t, stolen.accessToken)).status).toBe(401);
    const [family] = await familyRow(decode(stolen.accessToken).payload.sid);
    expect(family?.revoked_at).not.toBeNull();

    expect((await me(t, otherDevice.accessToken)).status).toBe(200);
    expect((await refresh(t, otherDevice.refreshToken)).status).toBe(200);
  });

  const reuseEvents = (familyId: string) =>
    t.query<{ user_id: string; row: string }>(
      "SELECT user_id, row_to_json(e)::text AS row FROM auth_events e WHERE type = 'refresh.reuse_detected' AND details->>'familyId' = $1",
      [familyId],
    );

  it('records the reuse in the audit log, without token material', async () => {
    const pair = await login(t, 'rotator');
    await refresh(t, pair.refreshToken).expect(200);
    await refresh(t, pair.refreshToken).expect(401);

    const events = await reuseEvents(decode(pair.accessToken).payload.sid as string);
    expect(events).toHaveLength(1);
    expect(events[0].user_id).toBe(user.id);
    expect(events[0].row).not.toContain(pair.refreshToken);
  });

  it('refuses a token of a logged-out family as invalid, without calling it reuse', async () => {
    const pair = await login(t, 'rotator');
    await request(t.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${pair.accessToken}`).expect(204);

    const response = await refresh(t, pair.refreshToken);

    expect(response.status).toBe(401);
    expect(response.body.code).toBe('INVALID_TOKEN');
    expect(await reuseEvents(decode(pair.accessToken).payload.sid as string)).toHaveLength(0);
  });

  it('lets exactly one of 20 concurrent refreshes with one token through; the family then dies', async () => {
    const pair = await login(t, 'rotator');

    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(t, pair.refreshToken)));

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(19);
    const winner = responses.find((response) => response.status === 200)?.body as TokenPair;
    expect((await refresh(t, winner.refreshToken)).status).toBe(401);
    expect((await me(t, winner.accessToken)).status).toBe(401);
    const [family] = await familyRow(decode(pair.accessToken).payload.sid);
    expect(family?.revoked_at).not.toBeNull();
    const children = await t.query('SELECT id FROM refresh_tokens WHERE family_id = $1', [decode(pair.accessToken).payload.sid]);
    expect(children).toHaveLength(2);
  });

  it('a refresh racing the logout of its login: whichever wins, the login ends and no successor works', async () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const pair = await login(t, 'rotator');

      const [refreshed, loggedOut] = await Promise.all([
        refresh(t, pair.refreshToken),
        request(t.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${pair.accessToken}`).send({}),
      ]);

      expect(loggedOut.status).toBe(204);
      expect([200, 401]).toContain(refreshed.status);
      const [family] = await familyRow(decode(pair.accessToken).payload.sid);
      expect(family?.revoked_at).not.toBeNull();
      if (refreshed.status === 200) {
        const successor = refreshed.body as TokenPair;
        expect((await me(t, successor.accessToken)).status).toBe(401);
        expect((await refresh(t, successor.refreshToken)).status).toBe(401);
      }
    }
  });

  it('stores no raw refresh, access or CSRF token anywhere in the database', async () => {
    const issued: string[] = [];
    for (let i = 0; i < 3; i++) {
      const pair = await login(t, 'rotator');
      const next = (await refresh(t, pair.refreshToken).expect(200)).body as TokenPair;
      issued.push(pair.refreshToken, pair.accessToken, next.refreshToken, next.accessToken);
    }
    const cookieLogin = await request(t.http)
      .post('/auth/jwt/login')
      .send({ username: 'rotator', password: 'a decent passphrase', transport: 'cookie' })
      .expect(200);
    issued.push(cookieLogin.body.csrfToken);

    const tables = await t.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    const dump: string[] = [];
    for (const { table_name } of tables) {
      const rows = await t.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
      dump.push(...rows.map((row) => row.row));
    }
    const everything = dump.join('\n');

    expect(tables.map((table) => table.table_name)).toEqual(expect.arrayContaining(['refresh_tokens', 'refresh_families']));
    // The dump is real: the hashes of the refresh tokens are in it.
    expect(everything).toContain(
      createHash('sha256')
        .update(issued[0] ?? '')
        .digest('hex'),
    );
    for (const token of issued) expect(everything).not.toContain(token);
  });
});

describe('absolute refresh-family expiry (JWT_REFRESH_TTL=3)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { JWT_REFRESH_TTL: '3' } });
    await registerUser(t, 'shortlived');
  });

  afterAll(async () => {
    await t.close();
  });

  it('ends the family at its absolute limit however often it was rotated', async () => {
    const first = await login(t, 'shortlived');
    const familyId = decode(first.accessToken).payload.sid;
    const [{ expires_at: expiresAt }] = (await t.query<{ expires_at: Date }>('SELECT expires_at FROM refresh_families WHERE id = $1', [
      familyId,
    ])) as [{ expires_at: Date }];
    expect(first.refreshExpiresIn).toBe(3);

    let current = first;
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      await new Promise((done) => setTimeout(done, 500));
      const response = await refresh(t, current.refreshToken);
      expect(response.status).toBe(200);
      current = response.body as TokenPair;
      seen.push(current.refreshExpiresIn);
    }
    const [after] = await t.query<{ expires_at: Date }>('SELECT expires_at FROM refresh_families WHERE id = $1', [familyId]);
    expect(after?.expires_at.getTime()).toBe(expiresAt.getTime());
    expect(seen[seen.length - 1]).toBeLessThan(3);

    await new Promise((done) => setTimeout(done, Math.max(0, expiresAt.getTime() - Date.now()) + 100));
    const expired = await refresh(t, current.refreshToken);

    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('INVALID_TOKEN');
  });
});
