import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';

describe('GET /health', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.database.admin(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS true`);
    await t.close();
  });

  /** Makes this spec's database refuse every connection, leaving the server (and other specs) alone. */
  async function takeDatabaseDown(): Promise<void> {
    await t.database.admin(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS false`);
    await t.database.admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${t.database.name}'`);
  }

  it('answers 200 with the database up', async () => {
    const response = await request(t.http).get('/health');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', db: 'up' });
  });

  it('answers 503 while the database is unreachable and recovers without a restart', async () => {
    await takeDatabaseDown();

    const down = await request(t.http).get('/health');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: expect.any(String) });

    const registerWhileDown = await request(t.http)
      .post('/auth/register')
      .send({ username: 'downtime', email: 'downtime@example.com', password: 'a decent passphrase' });
    expect(registerWhileDown.status).toBe(503);

    await t.database.admin(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS true`);

    const up = await request(t.http).get('/health');
    expect(up.status).toBe(200);
    expect(up.body).toEqual({ status: 'ok', db: 'up' });
  });
});
