import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import request from 'supertest';
import { ReportsApiModule } from './fixtures/reports-api.module';
import { createTestApp, TestApp } from './utils/create-test-app';
import { cookiePair, sleep } from './utils/http';
import { TOTP_PERIOD_SECONDS, totpCodeAt } from './utils/totp';
import { RESET_SUBJECT, resetLink, waitForMessage } from './utils/outbox';
import { httpExamples, httpFenceCount } from './utils/readme-http';
import { ExampleCheck, ReadmeReplay } from './utils/readme-replay';

const README = readFileSync('README.md', 'utf8');
const examples = httpExamples(README);

/** Blocks no replay here can send, each with why. Keep it short. */
const SKIPPED: Readonly<Record<string, string>> = {};

const uuid: ExampleCheck = (value) =>
  typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
const isoDate: ExampleCheck = (value) => typeof value === 'string' && new Date(value).toISOString() === value;
const epochSeconds: ExampleCheck = (value) => Number.isInteger(value) && Math.abs(Number(value) - Date.now() / 1000) < 86_400;
const base64url256: ExampleCheck = (value) => typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
const apiKey: ExampleCheck = (value) => typeof value === 'string' && /^nab_[A-Za-z0-9_-]{43}$/.test(value);
const ip: ExampleCheck = (value) => typeof value === 'string' && isIP(value) !== 0;
const unsentTotpCode: ExampleCheck = () => false;

/** Literal values the README shows by way of example: the real ones differ, and are checked for their kind. */
const EXAMPLE_VALUES: Readonly<Record<string, ExampleCheck>> = {
  // A refresh answer counts down from JWT_REFRESH_TTL (2592000).
  '2591995': (value) => Number.isInteger(value) && Number(value) > 2_591_000 && Number(value) <= 2_592_000,
  YZUhLXs7fPlupnwaLfP7bP5OmJCGRduqbrcRhWXlaz0: base64url256,
  OqmLBvGLDiUBln9LpHjMzGrNPbNjlYGb3YT0sOTGSeA: base64url256,
  rRCAMHVu6NCI9fyizOd5KBY1m0ENm31kXgMeP4eLmDU: base64url256,
  nab_JSog1ASVd90HVMU8N8nR1ZEV6OGIBjmdP0cPnXXnpis: apiKey,
  nab_4RyBZ7ND6fupqn9LTbCK4RgJPRO7Yd2U38qOBYvCRfo: apiKey,
  '5b0c7c1e-9a0f-4f51-9d0e-2f4f6f8b9c10': uuid,
  '0e8c2f4a-3b7d-4c59-a1e2-7f6d5c4b3a21': uuid,
  '3f1d9a52-7c2e-4b8a-9e61-0d4c5b6a7f80': uuid,
  '1796201234': epochSeconds,
  '1796200334': epochSeconds,
  '2026-12-01T22:50:00.000Z': isoDate,
  '2027-03-01T22:50:00.000Z': isoDate,
  '2026-12-01T23:02:11.000Z': isoDate,
  '203.0.113.7': ip,
  '198.51.100.2': ip,
  '492039': unsentTotpCode,
  '118293': unsentTotpCode,
  '730114': unsentTotpCode,
};

const PASSWORD = 'correct horse battery';

describe('the README HTTP examples, replayed against the service', () => {
  let t: TestApp;
  let readme: ReadmeReplay;
  let aliceId: string;

  beforeAll(async () => {
    // The key-set example shows an ES256 key, and its introspected token is an ES256 one.
    t = await createTestApp({ env: { JWT_ALGORITHM: 'ES256' }, imports: [ReportsApiModule] });
    readme = new ReadmeReplay(t.http, examples, EXAMPLE_VALUES);
  });

  afterAll(async () => {
    await t.close();
  });

  /** A JWT login of alice made by this spec, not by a README block. */
  async function aliceTokens(userAgent?: string): Promise<{ accessToken: string; refreshToken: string }> {
    const login = request(t.http).post('/auth/jwt/login');
    if (userAgent !== undefined) login.set('User-Agent', userAgent);
    const response = await login.send({ username: 'alice', password: PASSWORD }).expect(200);
    return response.body as { accessToken: string; refreshToken: string };
  }

  /** A session login of alice made by this spec; binds the README's `sid=…` and `Yp3…` to it. */
  async function aliceSession(userAgent: string): Promise<void> {
    const response = await request(t.http)
      .post('/auth/session/login')
      .set('User-Agent', userAgent)
      .send({ username: 'alice', password: PASSWORD })
      .expect(200);
    readme.bind('sid=…', cookiePair(response, 'sid'));
    readme.bind('Yp3…', response.body.csrfToken as string);
  }

  let lastTotpStep = 0;
  let totpSecret = '';
  /** A TOTP code the service has not accepted yet: the earliest step it takes (±1 around now) after the last one sent. */
  async function nextTotpCode(): Promise<string> {
    for (;;) {
      const now = Math.floor(Date.now() / 1000 / TOTP_PERIOD_SECONDS);
      const step = Math.max(now - 1, lastTotpStep + 1);
      if (step <= now + 1) {
        lastTotpStep = step;
        return totpCodeAt(totpSecret, step * TOTP_PERIOD_SECONDS * 1000);
      }
      await sleep(1000);
    }
  }

  it('finds every ```http block of the README', () => {
    expect(examples.length).toBe(httpFenceCount(README));
    expect(examples.length).toBeGreaterThan(20);
  });

  it('registration, and the JWT login, me, refresh and logout', async () => {
    const registered = await readme.replay('POST /auth/register');
    aliceId = registered.body.id as string;
    readme.bind('5b0c7c1e-9a0f-4f51-9d0e-2f4f6f8b9c10', aliceId);

    await readme.replay('POST /auth/session/login');
    await readme.replay('POST /auth/jwt/login');
    await readme.replay('GET /auth/jwt/me');
    await readme.replay('POST /auth/jwt/refresh');
    // The logout's refreshToken names another login of the caller.
    const other = await aliceTokens();
    await readme.replay('POST /auth/jwt/logout', { '…': other.refreshToken });
    await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: other.refreshToken }).expect(401);
  });

  it('the key set and introspection', async () => {
    await readme.replay('GET /.well-known/jwks.json');

    await request(t.http)
      .post('/auth/register')
      .send({ username: 'reporting', email: 'reporting@example.com', password: PASSWORD })
      .expect(201);
    const service = await request(t.http).post('/auth/jwt/login').send({ username: 'reporting', password: PASSWORD }).expect(200);
    const introspectKey = await request(t.http)
      .post('/auth/api-keys')
      .set('Authorization', `Bearer ${service.body.accessToken as string}`)
      .send({ name: 'introspection', scopes: ['introspect'] })
      .expect(201);
    readme.bind('nab_JSog1ASVd90HVMU8N8nR1ZEV6OGIBjmdP0cPnXXnpis', introspectKey.body.key as string);
    const alice = await aliceTokens();
    readme.bind('eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IllaVWhMWHM3…', alice.accessToken);
    readme.bind('<access token>', alice.accessToken);
    readme.bind('eyJ…', alice.accessToken);
    await readme.replay('POST /auth/introspect');
  });

  it('creating an API key, calling a product route with it, listing and revoking it', async () => {
    await readme.replay('POST /auth/api-keys');
    await readme.replay('GET /reports');
    // lastUsedAt is written in the background; the list example shows it written.
    for (let waited = 0; waited < 5000; waited += 50) {
      const [row] = await t.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_keys WHERE user_id = $1', [aliceId]);
      if (row?.last_used_at !== null) break;
      await sleep(50);
    }
    await readme.replay('GET /auth/api-keys');
    await readme.replay('DELETE /auth/api-keys/3f1d9a52-7c2e-4b8a-9e61-0d4c5b6a7f80');
  });

  it('one guard for both flavours, logout-all, and the devices list', async () => {
    await readme.replay('GET /auth/me');
    // Ends every login so far, so that the devices list below shows the two it shows.
    await readme.replay('POST /auth/logout-all');

    const mobile = await aliceTokens('mobile-app/1.0');
    readme.bind('eyJ…', mobile.accessToken);
    await aliceSession('Firefox/128.0');
    await readme.replay('GET /auth/sessions');
    await readme.replay('DELETE /auth/sessions/9a41…');
    await request(t.http).get('/auth/jwt/me').set('Authorization', `Bearer ${mobile.accessToken}`).expect(401);
  });

  it('email verification, two-factor authentication and closing the account', async () => {
    const verification = await waitForMessage(t.config.mailOutboxDir, 'alice@example.com');
    const token = /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(verification)?.[1];
    expect(token).toBeDefined();
    readme.bind('<from the link in the mail>', token ?? '');
    await readme.replay('POST /auth/email/verify');

    readme.bind('eyJ…', (await aliceTokens()).accessToken);
    const setup = await readme.replay('POST /auth/mfa/totp/setup');
    totpSecret = setup.body.secret as string;
    await readme.replay('POST /auth/mfa/totp/confirm', { '492039': await nextTotpCode() });
    // The confirmation ended alice's other logins; a token issued in that same second is dated from the
    // next one (README, "Revocation"), and its expiresIn would be 901, not the example's 900.
    const confirmedSecond = Math.floor(Date.now() / 1000);
    while (Math.floor(Date.now() / 1000) === confirmedSecond) await sleep(50);
    const challenge = await readme.replay('POST /auth/jwt/login #2');
    await readme.replay('POST /auth/mfa/verify', { '…': challenge.body.mfaToken as string, '118293': await nextTotpCode() });
    await readme.replay('DELETE /auth/account', { '730114': await nextTotpCode() });
  });

  it('changing, forgetting and resetting the password', async () => {
    // The account was closed above: alice registers again, with the password the examples use.
    await request(t.http).post('/auth/register').send({ username: 'alice', email: 'alice@example.com', password: PASSWORD }).expect(201);
    await aliceSession('Firefox/128.0');
    await readme.replay('POST /auth/password/change');
    await readme.replay('POST /auth/password/forgot');
    const link = resetLink(await waitForMessage(t.config.mailOutboxDir, 'alice@example.com', 1, RESET_SUBJECT));
    await readme.replay('POST /auth/password/reset', { '…': link.searchParams.get('token') ?? '' });
  });

  it('replays every ```http block of the README, or lists it as skipped with a reason', () => {
    const titles = examples.map(({ title }) => title);
    const unaccounted = titles.filter((title) => !readme.replayed.has(title) && SKIPPED[title] === undefined);
    expect(unaccounted).toEqual([]);
    expect(Object.keys(SKIPPED).filter((title) => !titles.includes(title))).toEqual([]);
    expect(readme.replayed.size + Object.keys(SKIPPED).length).toBe(examples.length);
  });
});
