import type { Algorithm, VerifyOptions } from 'jsonwebtoken';
import type { SecretOrKeyProvider } from 'passport-jwt';
import { AppConfig } from '../../config/app-config';
import { JwtKeyRing } from './jwt-key-ring';

/** The passport-jwt options that decide whether a signed token verifies. */
export interface AccessTokenVerification {
  readonly secretOrKeyProvider: SecretOrKeyProvider;
  readonly algorithms: Algorithm[];
  readonly issuer: string;
  readonly audience: string;
  readonly ignoreExpiration: false;
  readonly jsonWebTokenOptions: VerifyOptions;
}

/**
 * What makes a signed access token valid, beside the code that signs it (AccessTokenService):
 * HS256 only, issuer and audience pinned, `exp` and `nbf` checked with `JWT_CLOCK_TOLERANCE`, the
 * key picked by the header's `kid` from memory (an unknown kid fails; `jku`, `jwk`, `x5u` are never
 * looked at). passport-jwt applies these; {@link parseAccessTokenClaims} then insists on an access token.
 */
export function accessTokenVerification(keys: JwtKeyRing, config: AppConfig): AccessTokenVerification {
  return {
    secretOrKeyProvider: keyByKid(keys),
    algorithms: ['HS256'],
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ignoreExpiration: false,
    jsonWebTokenOptions: { clockTolerance: config.jwtClockToleranceSeconds },
  };
}

function keyByKid(keys: JwtKeyRing): SecretOrKeyProvider {
  return (_request, rawToken: unknown, done) => {
    const kid = typeof rawToken === 'string' ? headerKid(rawToken) : undefined;
    const key = kid === undefined ? undefined : keys.find(kid);
    if (key === undefined) return done(new Error('unknown kid'));
    // The typings predate KeyObject; passport-jwt hands the key to jsonwebtoken 9, which takes it.
    return done(null, key as unknown as Buffer);
  };
}

/** The header's `kid`, read without trusting anything else in the token. */
function headerKid(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    const kid = typeof header === 'object' && header !== null ? (header as { kid?: unknown }).kid : undefined;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}
