import { RequestMethod, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { JwtGuard } from '../src/auth/jwt/jwt.guard';
import { RolesGuard } from '../src/auth/guards/roles.guard';
import { SessionOrJwtGuard } from '../src/auth/guards/session-or-jwt.guard';
import { SessionGuard } from '../src/auth/cookie-session/session.guard';
import { IpThrottleGuard } from '../src/auth/throttling/ip-throttle.guard';
import { ApiKeyGuard } from '../src/auth/api-keys/api-key.guard';
import { createTestApp, TestApp } from './utils/create-test-app';

/** Routes anyone may call. Every other route must name an authentication guard. */
const PUBLIC_ROUTES = new Set([
  'GET /health',
  'GET /reset-password',
  'GET /verify-email',
  'GET /account-pages/account-pages.js',
  'GET /.well-known/jwks.json',
  'POST /auth/register',
  'POST /auth/session/login',
  'POST /auth/jwt/login',
  'POST /auth/jwt/refresh',
  'POST /auth/password/forgot',
  'POST /auth/password/reset',
  'POST /auth/email/verify',
  'POST /auth/mfa/verify',
]);

const AUTHENTICATION_GUARDS: ReadonlySet<unknown> = new Set([SessionGuard, JwtGuard, SessionOrJwtGuard, ApiKeyGuard]);

interface Route {
  readonly route: string;
  readonly guards: string[];
}

/** Every route of the app with its guards (class-level first), read from Nest's own metadata. */
function routesOf(t: TestApp): Route[] {
  const routes: Route[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const classGuards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, controller) ?? [];
      for (const name of Object.getOwnPropertyNames(controller.prototype).filter((key) => key !== 'constructor')) {
        const handler: unknown = controller.prototype[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const path = `/${[base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((part) => part !== '' && part !== '/').join('/')}`;
        const guards = [...classGuards, ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[]) ?? [])];
        routes.push({ route: `${method} ${path}`, guards: guards.map((guard) => (guard as { name: string }).name) });
      }
    }
  }
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}

describe('route guards', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('every route has an authentication guard or is on the public allow-list', () => {
    const names = new Set([...AUTHENTICATION_GUARDS].map((guard) => (guard as { name: string }).name));
    const unguarded = routesOf(t)
      .filter(({ route, guards }) => !PUBLIC_ROUTES.has(route) && !guards.some((guard) => names.has(guard)))
      .map(({ route }) => route);

    expect(unguarded).toEqual([]);
  });

  it('every public route on the allow-list exists (the list cannot go stale)', () => {
    const routes = new Set(routesOf(t).map(({ route }) => route));

    expect([...PUBLIC_ROUTES].filter((route) => !routes.has(route))).toEqual([]);
  });

  it('the per-IP limit guards exactly the credential endpoints of the contract, before any other guard', () => {
    const throttled = routesOf(t).filter(({ guards }) => guards.includes(IpThrottleGuard.name));

    expect(throttled.map(({ route }) => route)).toEqual([
      'DELETE /auth/account',
      'POST /auth/email/change',
      'POST /auth/email/verify',
      'POST /auth/jwt/login',
      'POST /auth/jwt/refresh',
      'POST /auth/mfa/disable',
      'POST /auth/mfa/recovery-codes',
      'POST /auth/mfa/totp/confirm',
      'POST /auth/mfa/totp/setup',
      'POST /auth/mfa/verify',
      'POST /auth/password/change',
      'POST /auth/password/forgot',
      'POST /auth/password/reset',
      'POST /auth/register',
      'POST /auth/session/login',
    ]);
    // A throttled login costs no bcrypt work: the limit runs before the password check.
    const logins = throttled.filter(({ guards }) => guards.includes('LocalAuthGuard'));
    expect(logins).toHaveLength(2);
    for (const { guards } of logins) expect(guards[0]).toBe(IpThrottleGuard.name);
  });

  it('every route under /admin is authorized by RolesGuard', () => {
    const admin = routesOf(t).filter(({ route }) => route.split(' ')[1].startsWith('/admin'));

    expect(admin.length).toBeGreaterThan(0);
    expect(admin.filter(({ guards }) => !guards.includes(RolesGuard.name))).toEqual([]);
  });

  it('matches the reviewed table of routes and guards', () => {
    expect(routesOf(t).map(({ route, guards }) => `${route} ${guards.join(',')}`.trim())).toEqual([
      'DELETE /admin/api-keys/:id SessionOrJwtGuard,RolesGuard',
      'DELETE /admin/users/:id SessionOrJwtGuard,RolesGuard',
      'DELETE /admin/users/:id/mfa SessionOrJwtGuard,RolesGuard',
      'DELETE /auth/account SessionOrJwtGuard,IpThrottleGuard',
      'DELETE /auth/api-keys/:id SessionOrJwtGuard',
      'DELETE /auth/sessions/:id SessionOrJwtGuard',
      'GET /.well-known/jwks.json',
      'GET /account-pages/account-pages.js',
      'GET /admin/audit SessionOrJwtGuard,RolesGuard',
      'GET /admin/users SessionOrJwtGuard,RolesGuard',
      'GET /admin/users/:id/api-keys SessionOrJwtGuard,RolesGuard',
      'GET /auth/api-keys SessionOrJwtGuard',
      'GET /auth/jwt/csrf JwtGuard',
      'GET /auth/jwt/me JwtGuard',
      'GET /auth/me SessionOrJwtGuard',
      'GET /auth/session/csrf SessionGuard',
      'GET /auth/session/me SessionGuard',
      'GET /auth/sessions SessionOrJwtGuard',
      'GET /health',
      'GET /reset-password',
      'GET /verify-email',
      'POST /admin/users/:id/disable SessionOrJwtGuard,RolesGuard',
      'POST /admin/users/:id/enable SessionOrJwtGuard,RolesGuard',
      'POST /auth/api-keys SessionOrJwtGuard',
      'POST /auth/email/change IpThrottleGuard,SessionOrJwtGuard',
      'POST /auth/email/verify IpThrottleGuard',
      'POST /auth/email/verify/resend SessionOrJwtGuard',
      'POST /auth/introspect ApiKeyGuard',
      'POST /auth/jwt/login IpThrottleGuard,LoginOriginGuard,LocalAuthGuard',
      'POST /auth/jwt/logout JwtGuard',
      'POST /auth/jwt/refresh IpThrottleGuard',
      'POST /auth/logout-all SessionOrJwtGuard',
      'POST /auth/mfa/disable IpThrottleGuard,SessionOrJwtGuard',
      'POST /auth/mfa/recovery-codes IpThrottleGuard,SessionOrJwtGuard',
      'POST /auth/mfa/totp/confirm IpThrottleGuard,SessionOrJwtGuard',
      'POST /auth/mfa/totp/setup IpThrottleGuard,SessionOrJwtGuard',
      'POST /auth/mfa/verify IpThrottleGuard',
      'POST /auth/password/change SessionOrJwtGuard,IpThrottleGuard',
      'POST /auth/password/forgot IpThrottleGuard',
      'POST /auth/password/reset IpThrottleGuard',
      'POST /auth/register IpThrottleGuard',
      'POST /auth/session/login IpThrottleGuard,LoginOriginGuard,LocalAuthGuard',
      'POST /auth/session/logout SessionGuard',
      'PUT /admin/users/:id/roles SessionOrJwtGuard,RolesGuard',
    ]);
  });
});
