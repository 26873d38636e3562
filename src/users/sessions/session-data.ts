import 'express-session';

/** What the store loaded with the session: fresh from the database on every request. */
export interface LoadedSession {
  /** The row's public id. */
  readonly id: string;
  readonly lastUsedAtMs: number;
  readonly user: {
    readonly id: string;
    readonly username: string;
    readonly email: string;
    readonly roles: readonly string[];
    readonly disabled: boolean;
    readonly createdAt: string;
    readonly emailVerified: boolean;
    readonly mfaEnabled: boolean;
  };
}

declare module 'express-session' {
  interface SessionData {
    userId: string;
    /** The session's CSRF token is HMAC(server key, this nonce): the token itself is stored nowhere. */
    csrfNonce: string;
    ip: string | null;
    userAgent: string | null;
    /** Set by the store on load, never persisted. */
    loaded: LoadedSession;
  }
}
