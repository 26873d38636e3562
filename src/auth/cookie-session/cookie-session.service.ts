import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Session, SessionData } from 'express-session';
import { newSecretToken } from '../../common/crypto/secret-token';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { isUnsafeMethod } from '../../common/http/unsafe-method';
import '../../users/sessions/session-data';
import { SessionsService } from '../../users/sessions/sessions.service';
import { assertSessionCsrf } from '../csrf/csrf-checks';
import { CsrfTokenService } from '../csrf/csrf-token.service';
import type { Principal } from '../principal';
import { SessionMiddleware } from './session.middleware';

type RequestSession = Session & Partial<SessionData>;

function promisify(session: RequestSession, method: 'regenerate' | 'save' | 'destroy'): Promise<void> {
  return new Promise((resolve, reject) => session[method]((error?: unknown) => (error ? reject(error) : resolve())));
}

/** Cookie sessions: started at login, turned into the principal of each request, renewed and ended. */
@Injectable()
export class CookieSessionService {
  constructor(
    private readonly middleware: SessionMiddleware,
    private readonly csrf: CsrfTokenService,
    private readonly sessionRows: SessionsService,
  ) {}

  /**
   * A login always gets a new session id (no fixation: whatever id the client sent is dropped and
   * its row deleted) and a new CSRF token, which is returned.
   */
  async start(request: Request, response: Response, userId: string, options: { readonly remember?: boolean } = {}): Promise<string> {
    await this.middleware.ensure(request, response);
    const csrfNonce = newSecretToken();
    try {
      await promisify(request.session, 'regenerate');
      // remember: false: a cookie without Expires/Max-Age, gone with the browser; the server's timeouts apply either way.
      if (options.remember === false) request.session.cookie.expires = null as unknown as Date;
      Object.assign(request.session, {
        userId,
        csrfNonce,
        ip: request.ip ?? null,
        userAgent: request.get('user-agent') ?? null,
      });
      await promisify(request.session, 'save');
    } catch (error) {
      // No session was stored: without an id, express-session sets no cookie for it and saves nothing.
      delete (request as { sessionID?: string }).sessionID;
      throw error;
    }
    return this.csrf.forSession(csrfNonce);
  }

  /** True when the request carries a live session (whatever its CSRF state). */
  hasSession(request: Request): boolean {
    return request.session?.loaded !== undefined && typeof request.session.userId === 'string';
  }

  /**
   * The principal of the session the store loaded (one query, user joined), with no further I/O.
   * Unsafe methods must carry the session's CSRF token.
   */
  principalOf(request: Request): Principal {
    const loaded = request.session?.loaded;
    if (loaded === undefined || loaded.user.disabled) {
      throw new DomainException(ErrorCode.UNAUTHENTICATED, 'A valid session is required');
    }
    if (isUnsafeMethod(request.method)) assertSessionCsrf(request, request.session.csrfNonce, this.csrf);
    return { userId: loaded.user.id, roles: loaded.user.roles, authMethod: 'session', loginId: loaded.id, credential: 'cookie' };
  }

  /**
   * Moves the current login to a new session id (after a password change): the old id and its row
   * are gone; the user and CSRF token are kept. The lifetimes start again, as at a login: the
   * password was just proven.
   */
  async renew(request: Request): Promise<void> {
    const { userId, csrfNonce, ip, userAgent } = request.session;
    const browserSession = request.session.cookie.expires == null;
    await promisify(request.session, 'regenerate');
    if (browserSession) request.session.cookie.expires = null as unknown as Date;
    Object.assign(request.session, { userId, csrfNonce, ip, userAgent });
    await promisify(request.session, 'save');
  }

  /** The CSRF token of the request's session, again (after a reload). */
  csrfTokenOf(request: Request): string {
    return this.csrf.forSession(request.session.csrfNonce ?? '');
  }

  /**
   * Shortens the current session's lifetime, like Django's `request.session.set_expiry(seconds)`:
   * the session ends `seconds` from now at the latest (on every instance: the row's expiries are
   * lowered; it never lengthens them). For product code, e.g. after a sensitive step on a shared
   * computer. No effect without a session.
   *
   * @example
   * await this.cookieSessions.setExpiry(request, 15 * 60); // at most 15 more minutes
   */
  async setExpiry(request: Request, seconds: number): Promise<void> {
    const loaded = request.session?.loaded;
    if (loaded === undefined) return;
    await this.sessionRows.shortenLifetime(loaded.id, Math.max(0, Math.floor(seconds)));
  }

  /** Deletes the session's row; the caller clears the cookie. */
  end(request: Request): Promise<void> {
    return promisify(request.session, 'destroy');
  }
}
