import { createTestApp, TestApp } from './utils/create-test-app';
import { decode, login, me, refresh, TokenPair } from './utils/jwt-helpers';
import { registerUser } from './utils/users';

describe('refresh reuse within REFRESH_REUSE_GRACE=5', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { REFRESH_REUSE_GRACE: '5' } });
    await registerUser(t, 'racer');
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers 409 to a reuse moments after the rotation and revokes nothing', async () => {
    const pair = await login(t, 'racer');
    const rotated = (await refresh(t, pair.refreshToken).expect(200)).body as TokenPair;

    const again = await refresh(t, pair.refreshToken);

    expect(again.status).toBe(409);
    expect(again.body).toEqual({ statusCode: 409, code: 'REFRESH_TOKEN_RECENTLY_ROTATED', message: expect.any(String) });
    expect((await me(t, rotated.accessToken)).status).toBe(200);
    expect((await refresh(t, rotated.refreshToken)).status).toBe(200);
  });

  it('lets exactly one of 20 concurrent refreshes through, answers 409 to the rest, and the family lives', async () => {
    const pair = await login(t, 'racer');

    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(t, pair.refreshToken)));

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const winner = responses.find((response) => response.status === 200)?.body as TokenPair;
    expect((await me(t, winner.accessToken)).status).toBe(200);
    expect((await refresh(t, winner.refreshToken)).status).toBe(200);
    const [family] = await t.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM refresh_families WHERE id = $1', [
      decode(pair.accessToken).payload.sid,
    ]);
    expect(family?.revoked_at).toBeNull();
  });
});

describe('refresh reuse after REFRESH_REUSE_GRACE=1 has passed', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { REFRESH_REUSE_GRACE: '1' } });
    await registerUser(t, 'latecomer');
  });

  afterAll(async () => {
    await t.close();
  });

  it('is reuse again: 401 and the family is revoked', async () => {
    const pair = await login(t, 'latecomer');
    const rotated = (await refresh(t, pair.refreshToken).expect(200)).body as TokenPair;
    await new Promise((done) => setTimeout(done, 1200));

    const late = await refresh(t, pair.refreshToken);

    expect(late.status).toBe(401);
    expect(late.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await me(t, rotated.accessToken)).status).toBe(401);
  });
});
