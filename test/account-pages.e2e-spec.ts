import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { outboxMessagesTo, resetLink, RESET_SUBJECT, waitForMessage } from './utils/outbox';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './utils/http';
import { registerUniqueUser } from './utils/users';

describe('pages for the links the service mails', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it.each([['/reset-password'], ['/verify-email']])('serves %s as HTML under a CSP that allows no inline script', async (path) => {
    const response = await request(t.http).get(`${path}?token=abc`);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(response.headers['content-security-policy']).not.toMatch(/unsafe-inline[^;]*;?\s*$|script-src[^;]*unsafe-inline/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.text).toContain('<script src="/account-pages/account-pages.js" defer></script>');
    expect(response.text).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\ssrc=)[^>]*>/);
    expect(response.text).not.toContain('abc');
  });

  it('serves the page script, which drops the token from the address before it does anything else', async () => {
    const response = await request(t.http).get('/account-pages/account-pages.js');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/javascript/);
    expect(response.text.indexOf('history.replaceState')).toBeLessThan(response.text.indexOf('fetch('));
  });

  it('mails the reset link on a line of its own, with an HTML part, and keeps a plain copy in the outbox', async () => {
    const user = await registerUniqueUser(t, 'mailed');
    await request(t.http).post('/auth/password/forgot').send({ email: user.email }).expect(202);
    const message = await waitForMessage(t.config.mailOutboxDir, user.email, 1, RESET_SUBJECT);

    expect(message).toMatch(/Content-Type: multipart\/alternative/);
    expect(message).toMatch(/Content-Type: text\/html/);
    const link = resetLink(message).toString();
    // The plain copy is a file of its own, written beside the message: it may land a moment later.
    const plainCopy = () =>
      readdirSync(t.config.mailOutboxDir)
        .filter((file) => file.endsWith('.txt'))
        .map((file) => readFileSync(join(t.config.mailOutboxDir, file), 'utf8'))
        .find((text) => text.includes(`To: ${user.email}`) && text.includes(`Subject: ${RESET_SUBJECT}`));
    let copy = plainCopy();
    for (let waited = 0; copy === undefined && waited < 5000; waited += 50) {
      await sleep(50);
      copy = plainCopy();
    }
    expect(copy?.split('\n')).toContain(link);
    expect(outboxMessagesTo(t.config.mailOutboxDir, user.email, RESET_SUBJECT)).toHaveLength(1);
  });
});
