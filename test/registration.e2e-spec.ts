import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';

describe('POST /auth/register', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const register = (body: object) => request(t.http).post('/auth/register').send(body);

  it('creates a user with the role "user" and answers its public shape, never a hash', async () => {
    const response = await register({ username: 'Alice', email: 'Alice@Example.com', password: 'correct horse battery' });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username: 'alice',
      email: 'alice@example.com',
      roles: ['user'],
      createdAt: expect.any(String),
      emailVerified: false,
      mfaEnabled: false,
    });
    expect(JSON.stringify(response.body)).not.toMatch(/\$2[aby]\$/);
    expect(response.headers['cache-control']).toBe('no-store');
    const [row] = await t.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [response.body.id]);
    expect(row.password_hash).toMatch(/^\$2b\$04\$/);
    expect(row.password_hash).not.toContain('correct horse');
  });

  it.each([
    ['the same username in another case', { username: 'ALICE', email: 'other@example.com' }, 'USERNAME_TAKEN'],
    ['the same email in another case', { username: 'alice2', email: 'ALICE@example.COM' }, 'EMAIL_TAKEN'],
  ])('answers 409 for %s', async (_label, identity, code) => {
    const response = await register({ ...identity, password: 'another fine passphrase' });

    expect(response.status).toBe(409);
    expect(response.body).toEqual({ statusCode: 409, code, message: expect.any(String) });
  });

  it('lets exactly one of 20 concurrent registrations of one username through', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        register({ username: 'racer', email: `racer${i}@example.com`, password: 'concurrency is hard' }),
      ),
    );
    const statuses = attempts.map((response) => response.status).sort();

    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const rows = await t.query("SELECT id FROM users WHERE username = 'racer'");
    expect(rows).toHaveLength(1);
  });

  it('rejects roles in the body and creates nothing', async () => {
    const response = await register({
      username: 'mallory',
      email: 'mallory@example.com',
      password: 'i want to be admin',
      roles: ['admin'],
    });

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(await t.query("SELECT id FROM users WHERE username = 'mallory'")).toHaveLength(0);
  });

  describe('password policy', () => {
    it.each([
      ['shorter than 8 characters', 'short1!', /at least 8/],
      ['longer than 256 characters', 'x'.repeat(257), /at most 256/],
      ['all whitespace', '          ', /whitespace/],
      ['on the common-password list', 'password123', /too common/],
      ['equal to the username', 'policyuser', /username or email/],
      ['equal to the email', 'policy@example.com', /username or email/],
    ])('rejects a password %s with 400', async (_label, password, message) => {
      const response = await register({ username: 'policyuser', email: 'policy@example.com', password });

      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, code: 'WEAK_PASSWORD', message: expect.stringMatching(message) });
      expect(await t.query("SELECT id FROM users WHERE username = 'policyuser'")).toHaveLength(0);
    });

    it('counts characters, not bytes: 8 emoji are a valid password', async () => {
      const response = await register({ username: 'emoji', email: 'emoji@example.com', password: '🔐🔑🗝️🛡️🔏🧷🪪🧿' });

      expect(response.status).toBe(201);
    });

    it.each([
      ['a number', 12345678],
      ['an object', { value: 'long enough password' }],
      ['an array', ['long enough password']],
      ['null', null],
    ])('rejects a password that is %s with 400', async (_label, password) => {
      const response = await register({ username: 'typed', email: 'typed@example.com', password });

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });
  });

  it.each([
    ['too short', 'ab'],
    ['with a space', 'has space'],
    ['with a slash', 'a/b'],
    ['too long', 'a'.repeat(33)],
  ])('rejects a username %s', async (_label, username) => {
    const response = await register({ username, email: 'u@example.com', password: 'a decent passphrase' });

    expect(response.status).toBe(400);
  });

  it('rejects an invalid email', async () => {
    const response = await register({ username: 'bademail', email: 'not-an-email', password: 'a decent passphrase' });

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });
});
