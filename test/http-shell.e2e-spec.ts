import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';

describe('HTTP shell', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT: '2kb', CORS_ORIGINS: 'https://app.example.test' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const usersNamed = (name: string) => t.query('SELECT id FROM users WHERE username = $1', [name]);

  it('answers 400 MALFORMED_JSON for malformed JSON without library text', async () => {
    const response = await request(t.http).post('/auth/register').set('Content-Type', 'application/json').send('{"username": ');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' });
  });

  it('answers 400 for a NUL byte in a string and stores nothing', async () => {
    const response = await request(t.http)
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send('{"username":"nul\\u0000user","email":"nul@example.com","password":"a decent passphrase"}');

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(await t.query("SELECT id FROM users WHERE email = 'nul@example.com'")).toHaveLength(0);
  });

  it('answers 400 for a NUL byte in the password', async () => {
    const response = await request(t.http)
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send('{"username":"nulpass","email":"nulpass@example.com","password":"a decent\\u0000passphrase"}');

    expect(response.status).toBe(400);
    expect(await usersNamed('nulpass')).toHaveLength(0);
  });

  it('answers 400 for a __proto__ key', async () => {
    const response = await request(t.http)
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send('{"username":"proto","email":"proto@example.com","password":"a decent passphrase","__proto__":{"roles":["admin"]}}');

    expect(response.status).toBe(400);
    expect(await usersNamed('proto')).toHaveLength(0);
  });

  it('answers 400 for a top-level JSON array', async () => {
    const response = await request(t.http).post('/auth/register').set('Content-Type', 'application/json').send('[]');

    expect(response.status).toBe(400);
  });

  it('answers 415 for a text/plain body', async () => {
    const response = await request(t.http)
      .post('/auth/register')
      .set('Content-Type', 'text/plain')
      .send('{"username":"plain","email":"plain@example.com","password":"a decent passphrase"}');

    expect(response.status).toBe(415);
    expect(response.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await usersNamed('plain')).toHaveLength(0);
  });

  it('answers 415 for a compressed body, never a 5xx, with a request id', async () => {
    for (const encoding of ['gzip', 'deflate']) {
      const response = await request(t.http)
        .post('/auth/register')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send('not really compressed');

      expect(response.status).toBe(415);
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers 400 for a string with a lone surrogate (it would hash like U+FFFD)', async () => {
    const response = await request(t.http)
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send(
        '{"username":"surrogate","email":"surrogate@example.com","password":"\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800"}',
      );

    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/well-formed/);
    expect(await usersNamed('surrogate')).toHaveLength(0);
  });

  it('answers 415 for a form body', async () => {
    const response = await request(t.http).post('/auth/register').type('form').send('username=form&email=form@example.com');

    expect(response.status).toBe(415);
  });

  it('answers 413 for a body above BODY_LIMIT', async () => {
    const response = await request(t.http)
      .post('/auth/register')
      .send({ username: 'big', email: 'big@example.com', password: 'x'.repeat(4096) });

    expect(response.status).toBe(413);
    expect(response.body).toEqual({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) });
  });

  it('answers 404 in the error shape for an unknown route', async () => {
    const response = await request(t.http).get('/nope');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: 'Not found' });
  });

  it('marks /auth and /admin answers no-store, however the path is cased, and no other path', async () => {
    for (const path of ['/auth/session/me', '/AUTH/Session/Me', '/admin/users', '/auth']) {
      const response = await request(t.http).get(path);
      expect({ path, cacheControl: response.headers['cache-control'], pragma: response.headers.pragma }).toEqual({
        path,
        cacheControl: 'no-store',
        pragma: 'no-cache',
      });
    }
    for (const path of ['/health', '/authority', '/docs-json']) {
      const response = await request(t.http).get(path);
      expect({ path, cacheControl: response.headers['cache-control'] }).not.toEqual({ path, cacheControl: 'no-store' });
    }
  });

  it('answers a CORS preflight from a listed origin, and gives an unlisted one no CORS headers', async () => {
    const origin = t.config.corsOrigins[0];
    if (origin === undefined) throw new Error('the test config lists no CORS origin');
    const allowed = await request(t.http)
      .options('/auth/jwt/login')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(origin);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');

    const refused = await request(t.http)
      .options('/auth/jwt/login')
      .set('Origin', 'https://evil.example.net')
      .set('Access-Control-Request-Method', 'POST');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends helmet headers and no X-Powered-By', async () => {
    const response = await request(t.http).get('/health');

    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBeDefined();
    expect(response.headers['content-security-policy']).toBeDefined();
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('serves the OpenAPI document listing every endpoint of the contract', async () => {
    const response = await request(t.http).get('/docs-json');

    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    const documented = Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /auth/register',
        'GET /auth/me',
        'GET /auth/sessions',
        'DELETE /auth/sessions/{id}',
        'POST /auth/logout-all',
        'POST /auth/password/change',
        'POST /auth/password/forgot',
        'POST /auth/password/reset',
        'GET /health',
        'POST /auth/session/login',
        'GET /auth/session/me',
        'GET /auth/session/csrf',
        'POST /auth/session/logout',
        'POST /auth/jwt/login',
        'GET /auth/jwt/me',
        'POST /auth/jwt/refresh',
        'POST /auth/jwt/logout',
        'GET /auth/jwt/csrf',
        'GET /admin/users',
        'POST /admin/users/{id}/disable',
        'POST /admin/users/{id}/enable',
        'PUT /admin/users/{id}/roles',
        'GET /admin/audit',
      ]),
    );
    expect((await request(t.http).get('/docs')).status).toBe(200);
  });
});
