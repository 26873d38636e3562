import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import passport from 'passport';
import { SecretOrKeyProvider, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config';
import { AccessTokenClaims, parseAccessTokenClaims } from '../../tokens/access-token-claims';
import { JwtKeyRing } from '../../tokens/jwt-key-ring';
import { readAccessToken } from './access-token.extractor';

export const JWT_STRATEGY = 'jwt';

/**
 * passport-jwt over the key ring: HS256 only, issuer and audience pinned, `exp` and `nbf` checked
 * with `JWT_CLOCK_TOLERANCE`, the key picked by the header's `kid` from memory (an unknown kid
 * fails; `jku`, `jwk`, `x5u` are never looked at). `validate` then insists on an access token.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  private authenticator: passport.Authenticator | undefined;

  constructor(keys: JwtKeyRing, config: AppConfig) {
    super({
      jwtFromRequest: (request: Request) => readAccessToken(request)?.token || null,
      secretOrKeyProvider: keyByKid(keys),
      algorithms: ['HS256'],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: config.jwtClockToleranceSeconds },
    });
  }

  /**
   * The PassportStrategy mixin registers the strategy on this. An Authenticator of its own instead of
   * passport's process-wide singleton: two app instances in one process (tests) must not share it.
   */
  getPassportInstance(): passport.Authenticator {
    return (this.authenticator ??= new passport.Authenticator());
  }

  /**
   * Runs the strategy for one request as passport's middleware does (an object inheriting from the
   * strategy, given the success/fail/error actions), without the middleware's per-request work on
   * `req` (login helpers, session manager), which a stateless guard does not need.
   */
  claimsOf(request: Request): Promise<AccessTokenClaims | undefined> {
    return new Promise((resolve) => {
      const attempt = Object.create(this) as JwtStrategy;
      attempt.success = (claims: AccessTokenClaims) => resolve(claims);
      attempt.fail = () => resolve(undefined);
      attempt.error = () => resolve(undefined);
      attempt.redirect = () => resolve(undefined);
      attempt.pass = () => resolve(undefined);
      attempt.authenticate(request, {});
    });
  }

  validate(payload: unknown): AccessTokenClaims | null {
    return parseAccessTokenClaims(payload);
  }
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
