export const ACCESS_TOKEN_TYPE = 'access';

/** Exactly the claims of an access token (API.md, JWT flavour). */
export interface AccessTokenClaims {
  readonly sub: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  readonly iss: string;
  readonly aud: string;
  /** The refresh family (login) the token belongs to. */
  readonly sid: string;
  readonly roles: readonly string[];
  readonly typ: typeof ACCESS_TOKEN_TYPE;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The last second a JS Date holds (8.64e15 ms): a time beyond it would be an Invalid Date. */
const MAX_DATE_SECONDS = 8_640_000_000_000;

/**
 * The claims of a payload whose signature, issuer, audience and times jsonwebtoken already checked,
 * or null when it is not an access token of this service: jsonwebtoken accepts a token without
 * `exp`, and a token of another type must never pass as an access token. Times must be whole
 * seconds a Date can hold, and `exp - iat` at most `maxLifetimeSeconds` (JWT_ACCESS_TTL): this
 * service never signs a longer-lived token.
 */
export function parseAccessTokenClaims(payload: unknown, maxLifetimeSeconds: number): AccessTokenClaims | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const claims = payload as Record<string, unknown>;
  const { sub, jti, iat, exp, nbf, iss, aud, sid, roles, typ } = claims;
  if (typ !== ACCESS_TOKEN_TYPE) return null;
  if (!isTime(exp) || !isTime(iat) || (nbf !== undefined && !isTime(nbf))) return null;
  if (exp <= iat || exp - iat > maxLifetimeSeconds) return null;
  if (!isUuid(sub) || !isUuid(jti) || !isUuid(sid)) return null;
  if (typeof iss !== 'string' || typeof aud !== 'string') return null;
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) return null;
  return { sub, jti, iat, exp, iss, aud, sid, roles: roles as string[], typ };
}

function isTime(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_DATE_SECONDS;
}

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
