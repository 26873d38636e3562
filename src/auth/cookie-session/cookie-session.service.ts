import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Session, SessionData } from 'express-session';
import '../../users/sessions/session-data';

type RequestSession = Session & Partial<SessionData>;

function promisify(session: RequestSession, method: 'regenerate' | 'save' | 'destroy'): Promise<void> {
  return new Promise((resolve, reject) => session[method]((error?: unknown) => (error ? reject(error) : resolve())));
}

/** Starts, renews and ends cookie sessions. */
@Injectable()
export class SessionLoginService {
  /**
   * A login always gets a new session id (no fixation: whatever id the client sent is dropped and
   * its row deleted) and a new CSRF token, which is returned.
   */
  async start(request: Request, userId: string): Promise<string> {
    await promisify(request.session, 'regenerate');
    const csrfToken = randomBytes(32).toString('base64url');
    Object.assign(request.session, {
      userId,
      csrfToken,
      ip: request.ip ?? null,
      userAgent: request.get('user-agent') ?? null,
    });
    await promisify(request.session, 'save');
    return csrfToken;
  }

  /**
   * Moves the current login to a new session id (after a password change): the old id and its row
   * are gone; the user and CSRF token are kept. The lifetimes start again, as at a login: the
   * password was just proven.
   */
  async renew(request: Request): Promise<void> {
    const { userId, csrfToken, ip, userAgent } = request.session;
    await promisify(request.session, 'regenerate');
    Object.assign(request.session, { userId, csrfToken, ip, userAgent });
    await promisify(request.session, 'save');
  }

  /** Deletes the session's row; the caller clears the cookie. */
  end(request: Request): Promise<void> {
    return promisify(request.session, 'destroy');
  }
}
