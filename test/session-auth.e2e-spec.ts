import request from 'supertest';
import { NotesSessionModule } from './fixtures/notes-session.module';
import { createTestApp, TestApp } from './utils/create-test-app';
import { rawSessionId, sessionLogin } from './utils/session-login';
import { TestUser, registerUniqueUser } from './utils/users';
import { cookiePair, setCookie } from './utils/http';

describe('session authentication', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ imports: [NotesSessionModule], env: { CORS_ORIGINS: 'https://app.example.com' } });
    alice = await registerUniqueUser(t, 'alice');
  });

  afterAll(async () => {
    await t.close();
  });

  const sessionRows = () => t.query<{ id: string; user_id: string }>('SELECT id, user_id FROM sessions');

  describe('login', () => {
    it('answers the user and a CSRF token and sets sid with exactly HttpOnly, SameSite=Lax, Path=/', async () => {
      const response = await request(t.http).post('/auth/session/login').send({ username: alice.username, password: alice.password });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        user: {
          id: alice.id,
          username: alice.username,
          email: alice.email,
          roles: ['user'],
          createdAt: expect.any(String),
          emailVerified: false,
          mfaEnabled: false,
        },
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      const sid = setCookie(response, 'sid');
      expect(sid?.raw).toMatch(/^s%3A/);
      expect(Object.keys(sid?.attributes ?? {}).sort()).toEqual(['expires', 'httponly', 'path', 'samesite']);
      expect(sid?.attributes).toMatchObject({ httponly: true, path: '/', samesite: 'Lax' });
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('accepts the email in the username field', async () => {
      const response = await request(t.http)
        .post('/auth/session/login')
        .send({ username: alice.email.toUpperCase(), password: alice.password });

      expect(response.status).toBe(200);
    });

    it('answers unknown user and wrong password byte-identically', async () => {
      const unknown = await request(t.http).post('/auth/session/login').send({ username: 'nobody-here', password: 'whatever password' });
      const wrong = await request(t.http).post('/auth/session/login').send({ username: alice.username, password: 'not her password' });
      const comparable = (headers: Record<string, unknown>) => {
        const { date: _date, 'x-request-id': _id, ...rest } = headers;
        return rest;
      };

      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.text).toBe(wrong.text);
      expect(JSON.parse(unknown.text)).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'Invalid username or password' });
      expect(comparable(unknown.headers)).toEqual(comparable(wrong.headers));
      expect(setCookie(unknown, 'sid')).toBeUndefined();
    });

    it('refuses a disabled user with the same answer as a wrong password, and ends their session', async () => {
      const carol = await registerUniqueUser(t, 'carol');
      const login = await sessionLogin(t.http, carol);
      await t.query('UPDATE users SET disabled = true WHERE id = $1', [carol.id]);

      const refused = await request(t.http).post('/auth/session/login').send({ username: carol.username, password: carol.password });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'Invalid username or password' });
      expect((await request(t.http).get('/auth/session/me').set('Cookie', login.cookie)).status).toBe(401);
    });

    it.each([
      ['a numeric password', { username: 'alice', password: 12345678 }],
      ['a missing password', { username: 'alice' }],
      ['an object username', { username: { $ne: '' }, password: 'x' }],
    ])('answers 400 for %s', async (_label, body) => {
      const response = await request(t.http).post('/auth/session/login').send(body);

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it('answers 400 for an unknown property before checking the password: no session, no audit event', async () => {
      const before = (await sessionRows()).length;
      const eventsBefore = await t.query('SELECT id FROM auth_events');
      const response = await request(t.http)
        .post('/auth/session/login')
        .send({ username: alice.username, password: alice.password, keepMeSignedIn: true });

      expect(response.status).toBe(400);
      expect(setCookie(response, 'sid')).toBeUndefined();
      expect(await sessionRows()).toHaveLength(before);
      expect(await t.query('SELECT id FROM auth_events')).toHaveLength(eventsBefore.length);
      const wrongPassword = await request(t.http)
        .post('/auth/session/login')
        .send({ username: alice.username, password: 'nope', keepMeSignedIn: true });
      expect(wrongPassword.status).toBe(400);
    });

    it.each([
      ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
      ['an Origin outside CORS_ORIGINS', { Origin: 'https://evil.example.net' }],
    ])('refuses a login with %s (login CSRF) and sets no cookie', async (_label, headers) => {
      const response = await request(t.http)
        .post('/auth/session/login')
        .set(headers)
        .send({ username: alice.username, password: alice.password });

      expect(response.status).toBe(403);
      expect(setCookie(response, 'sid')).toBeUndefined();
    });

    it('accepts a login from an allowed Origin with Sec-Fetch-Site: same-site', async () => {
      const response = await request(t.http)
        .post('/auth/session/login')
        .set({ Origin: 'https://app.example.com', 'Sec-Fetch-Site': 'same-site' })
        .send({ username: alice.username, password: alice.password });

      expect(response.status).toBe(200);
    });
  });

  describe('session fixation', () => {
    it('issues a new id at login, whatever id the client sent', async () => {
      const first = await sessionLogin(t.http, alice);
      const response = await request(t.http)
        .post('/auth/session/login')
        .set('Cookie', first.cookie)
        .send({ username: alice.username, password: alice.password });

      expect(response.status).toBe(200);
      expect(rawSessionId(cookiePair(response, 'sid'))).not.toBe(rawSessionId(first.cookie));
    });

    it('never lets a planted id become the victim’s session', async () => {
      const mallory = await registerUniqueUser(t, 'mallory');
      const planted = await sessionLogin(t.http, mallory);

      const victimLogin = await request(t.http)
        .post('/auth/session/login')
        .set('Cookie', planted.cookie)
        .send({ username: alice.username, password: alice.password });
      const victimCookie = cookiePair(victimLogin, 'sid');

      expect(rawSessionId(victimCookie)).not.toBe(rawSessionId(planted.cookie));
      const withPlanted = await request(t.http).get('/auth/session/me').set('Cookie', planted.cookie);
      expect(withPlanted.status).toBe(401);
      const withVictim = await request(t.http).get('/auth/session/me').set('Cookie', victimCookie);
      expect(withVictim.body.id).toBe(alice.id);
    });

    it('never adopts a session id the server did not issue', async () => {
      const forged = 'sid=attacker-chosen-id';
      const response = await request(t.http)
        .post('/auth/session/login')
        .set('Cookie', forged)
        .send({ username: alice.username, password: alice.password });

      expect(rawSessionId(cookiePair(response, 'sid'))).not.toBe('attacker-chosen-id');
    });
  });

  describe('me, csrf and logout', () => {
    it('answers the user with the cookie; after logout the same cookie is 401, its row is gone and the cookie cleared', async () => {
      const login = await sessionLogin(t.http, alice);
      const me = await request(t.http).get('/auth/session/me').set('Cookie', login.cookie);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        id: alice.id,
        username: alice.username,
        email: alice.email,
        roles: ['user'],
        createdAt: expect.any(String),
        emailVerified: false,
        mfaEnabled: false,
      });
      const csrf = await request(t.http).get('/auth/session/csrf').set('Cookie', login.cookie);
      expect(csrf.body).toEqual({ csrfToken: login.csrfToken });
      const rowsBefore = await t.query('SELECT id FROM sessions WHERE sid_hash = encode(sha256($1::bytea), $2)', [
        rawSessionId(login.cookie),
        'hex',
      ]);
      expect(rowsBefore).toHaveLength(1);

      const logout = await request(t.http).post('/auth/session/logout').set('Cookie', login.cookie).set('X-CSRF-Token', login.csrfToken);

      expect(logout.status).toBe(204);
      const cleared = setCookie(logout, 'sid');
      expect(cleared?.value).toBe('');
      expect(new Date(String(cleared?.attributes.expires ?? '')).getTime()).toBeLessThanOrEqual(Date.now());
      expect((await request(t.http).get('/auth/session/me').set('Cookie', login.cookie)).status).toBe(401);
      expect(
        await t.query('SELECT id FROM sessions WHERE sid_hash = encode(sha256($1::bytea), $2)', [rawSessionId(login.cookie), 'hex']),
      ).toHaveLength(0);
    });

    it('stores only a hash of the session id: no column of the table contains the raw id', async () => {
      const login = await sessionLogin(t.http, alice);
      const raw = rawSessionId(login.cookie);

      const rows = await t.query<{ row: string }>('SELECT row_to_json(s)::text AS row FROM sessions s');
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((row) => row.row.includes(raw))).toEqual([]);
    });

    it('stores no CSRF token either: the row holds a nonce the token is a keyed hash of', async () => {
      const login = await sessionLogin(t.http, alice);

      const rows = await t.query<{ row: string }>('SELECT row_to_json(s)::text AS row FROM sessions s');
      expect(rows.some((row) => row.row.includes('csrfNonce'))).toBe(true);
      expect(rows.filter((row) => row.row.includes(login.csrfToken))).toEqual([]);
      const again = await request(t.http).get('/auth/session/csrf').set('Cookie', login.cookie).expect(200);
      expect(again.body.csrfToken).toBe(login.csrfToken);
    });

    it.each([
      ['no cookie', undefined],
      ['a never-issued cookie', 'sid=s%3Anever-issued.c2lnbmF0dXJl'],
      ['an unsigned cookie', 'sid=plain-unsigned-id'],
    ])('answers 401 to %s', async (_label, cookie) => {
      const call = request(t.http).get('/auth/session/me');
      const response = cookie ? await call.set('Cookie', cookie) : await call;

      expect(response.status).toBe(401);
      expect(response.body.code).toBe('UNAUTHENTICATED');
    });

    it('answers 401 to a tampered cookie (id or signature changed)', async () => {
      const login = await sessionLogin(t.http, alice);
      const value = decodeURIComponent(login.cookie.slice(4));
      const dot = value.lastIndexOf('.');
      const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

      for (const tampered of [flip(value, 3), flip(value, dot + 3)]) {
        const response = await request(t.http)
          .get('/auth/session/me')
          .set('Cookie', `sid=${encodeURIComponent(tampered)}`);
        expect(response.status).toBe(401);
      }
    });
  });

  it('writes last-used at most once a minute, not on every request (the guard is on the hot path)', async () => {
    const login = await sessionLogin(t.http, alice);
    const lastUsed = () =>
      t.query('SELECT last_used_at FROM sessions WHERE sid_hash = encode(sha256($1::bytea), $2)', [rawSessionId(login.cookie), 'hex']);
    const atLogin = await lastUsed();

    for (let i = 0; i < 5; i++) expect((await request(t.http).get('/auth/session/me').set('Cookie', login.cookie)).status).toBe(200);

    expect(await lastUsed()).toEqual(atLogin);
  });

  describe('CSRF on unsafe requests', () => {
    it('refuses a product POST without or with a wrong X-CSRF-Token (403, no effect) and accepts the right one', async () => {
      const login = await sessionLogin(t.http, alice);
      const count = () => NotesSessionModule.notes.filter((note) => note.userId === alice.id).length;
      const before = count();

      const missing = await request(t.http).post('/notes').set('Cookie', login.cookie).send({ text: 'no token' });
      const wrong = await request(t.http)
        .post('/notes')
        .set('Cookie', login.cookie)
        .set('X-CSRF-Token', `${login.csrfToken}x`)
        .send({ text: 'bad' });
      const otherSession = await sessionLogin(t.http, alice);
      const foreign = await request(t.http)
        .post('/notes')
        .set('Cookie', login.cookie)
        .set('X-CSRF-Token', otherSession.csrfToken)
        .send({ text: 'x' });

      expect([missing.status, wrong.status, foreign.status]).toEqual([403, 403, 403]);
      expect(missing.body.code).toBe('CSRF_FAILED');
      expect(count()).toBe(before);

      const right = await request(t.http)
        .post('/notes')
        .set('Cookie', login.cookie)
        .set('X-CSRF-Token', login.csrfToken)
        .send({ text: 'ok' });
      expect(right.status).toBe(201);
      expect(count()).toBe(before + 1);
    });

    it('refuses logout without the token and keeps the session alive', async () => {
      const login = await sessionLogin(t.http, alice);

      const response = await request(t.http).post('/auth/session/logout').set('Cookie', login.cookie);

      expect(response.status).toBe(403);
      expect((await request(t.http).get('/auth/session/me').set('Cookie', login.cookie)).status).toBe(200);
    });
  });

  describe('a product module guarded with SessionGuard', () => {
    it('gets the caller through @CurrentUser() and refuses anonymous requests', async () => {
      const login = await sessionLogin(t.http, alice);

      const ok = await request(t.http).get('/notes').set('Cookie', login.cookie);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ userId: alice.id, authMethod: 'session' });
      expect((await request(t.http).get('/notes')).status).toBe(401);
    });
  });

  it('creates no session row for 100 anonymous requests', async () => {
    await t.query('DELETE FROM sessions');
    const calls = Array.from({ length: 100 }, (_, i) => {
      switch (i % 4) {
        case 0:
          return request(t.http).get('/health');
        case 1:
          return request(t.http).get('/auth/session/me');
        case 2:
          return request(t.http).get('/notes').set('Cookie', 'sid=s%3Abogus.sig');
        default:
          return request(t.http).post('/auth/session/login').send({ username: 'nobody', password: 'wrong password' });
      }
    });
    const responses = await Promise.all(calls);

    expect(responses.filter((response) => setCookie(response, 'sid') !== undefined)).toHaveLength(0);
    expect(await sessionRows()).toHaveLength(0);
  });
});
