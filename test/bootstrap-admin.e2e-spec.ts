import request from 'supertest';
import { createTestApp } from './utils/create-test-app';
import { createTestDatabase } from './utils/test-database';
import { startTestServer } from './utils/test-server';

const admin = {
  BOOTSTRAP_ADMIN_USERNAME: 'root-admin',
  BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com',
  BOOTSTRAP_ADMIN_PASSWORD: 'a long admin passphrase',
};

describe('bootstrap admin', () => {
  it('creates no account without BOOTSTRAP_ADMIN_* (no default account)', async () => {
    const t = await createTestApp();
    try {
      expect(await t.query('SELECT id FROM users')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('creates the admin once when none exists, and it can log in', async () => {
    const t = await createTestApp({ env: admin });
    try {
      // A second instance, in its own process as in production, finds the admin and creates none.
      const second = await startTestServer({ database: t.database, env: { ...admin, PASSWORD_PEPPER: t.config.passwordPepper } });
      await second.close();

      const rows = await t.query<{ username: string; roles: string[] }>('SELECT username, roles FROM users');
      expect(rows).toEqual([{ username: 'root-admin', roles: ['user', 'admin'] }]);
      const login = await request(t.http)
        .post('/auth/session/login')
        .send({ username: 'root-admin', password: admin.BOOTSTRAP_ADMIN_PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body.user.roles).toEqual(['user', 'admin']);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('refuses to start with a bootstrap password the policy rejects', async () => {
    const database = await createTestDatabase();
    try {
      await expect(createTestApp({ database, env: { ...admin, BOOTSTRAP_ADMIN_PASSWORD: 'password1' } })).rejects.toThrow(
        /BOOTSTRAP_ADMIN_PASSWORD.*too common/,
      );
      expect(await database.admin(`SELECT 1`)).toHaveLength(1);
    } finally {
      await database.drop();
    }
  });
});
