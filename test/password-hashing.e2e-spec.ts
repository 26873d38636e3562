import request from 'supertest';
import { startTestServer } from './utils/test-server';
import { createTestApp, TestApp } from './utils/create-test-app';

describe('password hashing', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('counts every character: two passwords sharing their first 72 bytes do not both verify', async () => {
    const shared = 'a'.repeat(72);
    const registered = await request(t.http)
      .post('/auth/register')
      .send({ username: 'longpass', email: 'longpass@example.com', password: `${shared}-first` });
    expect(registered.status).toBe(201);

    const login = (password: string) => request(t.http).post('/auth/session/login').send({ username: 'longpass', password });
    expect((await login(`${shared}-first`)).status).toBe(200);
    expect((await login(`${shared}-other`)).status).toBe(401);
    expect((await login(shared)).status).toBe(401);
  });

  it('upgrades a hash below BCRYPT_COST at the next successful login, and the new hash verifies', async () => {
    await request(t.http)
      .post('/auth/register')
      .send({ username: 'upgrade', email: 'upgrade@example.com', password: 'upgrade me please' })
      .expect(201);
    const stronger = await startTestServer({ database: t.database, env: { BCRYPT_COST: '5', PASSWORD_PEPPER: t.config.passwordPepper } });
    try {
      const login = () => request(stronger.http).post('/auth/session/login').send({ username: 'upgrade', password: 'upgrade me please' });
      expect((await login()).status).toBe(200);
      const [row] = await t.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE username = 'upgrade'");
      expect(row.password_hash).toMatch(/^\$2b\$05\$/);
      expect((await login()).status).toBe(200);
    } finally {
      await stronger.close();
    }
  }, 60_000);
});
