import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { AppConfig } from '../../config/app-config';
import { PostgresSessionStore } from '../../users/sessions/postgres-session.store';
import '../../users/sessions/session-data';

export const SESSION_COOKIE = 'sid';

/** Cookie attributes of `sid` (COOKIE_SAMESITE, COOKIE_DOMAIN, COOKIE_SECURE); logout clears the cookie with the same ones. */
export function sessionCookieOptions(config: AppConfig) {
  return {
    httpOnly: true,
    sameSite: config.cookieSameSite,
    path: '/',
    secure: config.cookieSecure,
    ...(config.cookieDomain === undefined ? {} : { domain: config.cookieDomain }),
  } as const;
}

/**
 * express-session over the PostgreSQL store, mounted by AuthModule for every route but run only for
 * requests that carry a `sid` cookie: nothing else can have a session, so the rest pay nothing. A
 * login creates its session through {@link SessionMiddleware.ensure}. `secret` is the list of
 * SESSION_SECRET values: the first signs, every one verifies (rotation without logging anyone out).
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  private readonly handler: RequestHandler;

  constructor(config: AppConfig, store: PostgresSessionStore) {
    this.handler = session({
      name: SESSION_COOKIE,
      secret: [...config.sessionSecrets],
      store,
      resave: false,
      saveUninitialized: false,
      rolling: false,
      // Only an explicit destroy (logout, regenerate) deletes a row: with 'destroy', express-session
      // deletes the session of a request whose load failed, so a database blip would log users out.
      unset: 'keep',
      proxy: config.trustProxyHops > 0,
      cookie: { ...sessionCookieOptions(config), maxAge: config.sessionAbsoluteTimeoutSeconds * 1000 },
    });
  }

  /** A rejected load reaches Nest's exception filter (503 when the database is down), never the next handler. */
  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    if (hasSessionCookie(request)) await this.ensure(request, response);
    next();
  }

  /**
   * Loads the request's session, or gives it an empty one, unless that already happened. A failed
   * load (the database did not answer) leaves the session untouched: the request fails (503) and
   * the same cookie works again once the database does.
   */
  ensure(request: Request, response: Response): Promise<void> {
    if (request.session !== undefined) return Promise.resolve();
    return new Promise((resolve, reject) =>
      this.handler(request, response, (error?: unknown) => {
        if (!error) return resolve();
        // Nothing may act on a session that was never loaded: no destroy, save or touch at the end.
        delete (request as { sessionID?: string }).sessionID;
        reject(error);
      }),
    );
  }
}

function hasSessionCookie(request: Request): boolean {
  return request.headers.cookie?.includes(`${SESSION_COOKIE}=`) === true;
}
