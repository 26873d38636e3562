import type { RequestHandler } from 'express';
import session from 'express-session';
import { AppConfig } from '../../config/app-config';
import { PostgresSessionStore } from '../../users/sessions/postgres-session.store';

export const SESSION_COOKIE = 'sid';

/** Cookie attributes of `sid`; logout clears the cookie with the same ones. */
export function sessionCookieOptions(config: AppConfig) {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: config.cookieSecure } as const;
}

/**
 * express-session over the PostgreSQL store. `secret` is the list of SESSION_SECRET values: the
 * first signs, every one verifies, so a key can be rotated without logging everyone out.
 * Anonymous requests create nothing (saveUninitialized: false).
 */
export function sessionMiddleware(config: AppConfig, store: PostgresSessionStore): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    secret: [...config.sessionSecrets],
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
    proxy: config.trustProxyHops > 0,
    cookie: { ...sessionCookieOptions(config), maxAge: config.sessionAbsoluteTimeoutSeconds * 1000 },
  });
}
