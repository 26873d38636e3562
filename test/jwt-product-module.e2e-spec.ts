import request from 'supertest';
import { OrdersModule } from './fixtures/orders.module';
import { createTestApp, TestApp } from './utils/create-test-app';
import { decode, login } from './utils/jwt-helpers';
import { PASSWORD, TestUser, registerUser } from './utils/users';
import { cookieHeader, setCookies } from './utils/http';

describe('JwtGuard in a product module', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ imports: [OrdersModule] });
    user = await registerUser(t, 'shopper');
  });

  afterAll(async () => {
    await t.close();
  });

  it('admits a valid Bearer token and hands the controller the principal', async () => {
    const pair = await login(t, 'shopper');

    const response = await request(t.http).get('/orders').set('Authorization', `Bearer ${pair.accessToken}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ owner: user.id, login: decode(pair.accessToken).payload.sid, via: 'bearer' });
  });

  it('refuses a request without a token (401, Bearer challenge)', async () => {
    const response = await request(t.http).get('/orders');

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('refuses a revoked token at once', async () => {
    const pair = await login(t, 'shopper');
    await request(t.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${pair.accessToken}`).expect(204);

    const response = await request(t.http).get('/orders').set('Authorization', `Bearer ${pair.accessToken}`);

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('applies CSRF to unsafe requests authenticated by the cookie', async () => {
    const cookieLogin = await request(t.http)
      .post('/auth/jwt/login')
      .send({ username: 'shopper', password: PASSWORD, transport: 'cookie' })
      .expect(200);
    const cookies = setCookies(cookieLogin);
    const jar = cookieHeader({
      access_token: cookies.get('access_token')?.value ?? '',
      csrf_token: cookies.get('csrf_token')?.value ?? '',
    });

    expect((await request(t.http).post('/orders').set('Cookie', jar)).status).toBe(403);
    const placed = await request(t.http).post('/orders').set('Cookie', jar).set('X-CSRF-Token', cookieLogin.body.csrfToken);
    expect(placed.status).toBe(201);
    expect(placed.body).toEqual({ placedBy: user.id });
    expect((await request(t.http).get('/orders').set('Cookie', jar)).body.via).toBe('cookie');
  });
});
