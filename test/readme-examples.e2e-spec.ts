import { readFileSync } from 'node:fs';
import request from 'supertest';
import { InvoicesModule } from './fixtures/invoices.module';
import { createTestApp, TestApp } from './utils/create-test-app';
import { registerUniqueUser } from './utils/users';

/** The README's code blocks that follow a `<!-- file: … -->` marker, with the file they must equal. */
function readmeFiles(): Array<{ file: string; code: string }> {
  const readme = readFileSync('README.md', 'utf8');
  return [...readme.matchAll(/<!-- file: (\S+) -->\s*```ts\n([\s\S]*?)```/g)].map(([, file, code]) => ({ file, code }));
}

describe('the README examples', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ imports: [InvoicesModule] });
  });

  afterAll(async () => {
    await t.close();
  });

  it('"Your own module" is, line for line, the module this spec mounts (but for where it imports auth from)', () => {
    const examples = readmeFiles();
    expect(examples.map(({ file }) => file)).toContain('test/fixtures/invoices.module.ts');
    for (const { file, code } of examples) {
      const source = readFileSync(file, 'utf8').replace("from '../../src/auth'", "from '../auth'");
      expect(code).toBe(source);
    }
  });

  it('the module works as the README says: 401 without credentials, CSRF with the cookie, none with a Bearer token', async () => {
    const user = await registerUniqueUser(t, 'invoicer');
    await request(t.http).get('/invoices').expect(401);

    const session = await request(t.http)
      .post('/auth/session/login')
      .send({ username: user.username, password: user.password })
      .expect(200);
    const cookie = String(session.headers['set-cookie']).split(';')[0];
    const invoice = { customer: 'ACME', amount: 12.5 };
    await request(t.http).post('/invoices').set('Cookie', cookie).send(invoice).expect(403);
    await request(t.http).post('/invoices').set('Cookie', cookie).set('X-CSRF-Token', session.body.csrfToken).send(invoice).expect(201);

    const jwt = await request(t.http).post('/auth/jwt/login').send({ username: user.username, password: user.password }).expect(200);
    const listed = await request(t.http).get('/invoices').set('Authorization', `Bearer ${jwt.body.accessToken}`).expect(200);
    expect(listed.body).toEqual([{ id: 1, ownerId: user.id, customer: 'ACME', amount: 12.5 }]);
    await request(t.http)
      .post('/invoices')
      .set('Authorization', `Bearer ${jwt.body.accessToken}`)
      .send({ customer: 'x', amount: -1 })
      .expect(400);
  });
});
