import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { SecretOrKeyProvider, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config';
import { AccessTokenClaims, parseAccessTokenClaims } from '../../tokens/access/access-token-claims';
import { JwtKeyRing } from '../../tokens/access/jwt-key-ring';
import { readAccessToken } from './access-token.extractor';
import { runStrategy } from '../strategies/run-strategy';

/**
 * passport-jwt over the key ring: HS256 only, issuer and audience pinned, `exp` and `nbf` checked
 * with `JWT_CLOCK_TOLERANCE`, the key picked by the header's `kid` from memory (an unknown kid
 * fails; `jku`, `jwk`, `x5u` are never looked at). The verify step then insists on an access token.
 * Run per app instance with {@link runStrategy}, not through passport's process-wide registry.
 */
@Injectable()
export class JwtStrategy extends Strategy {
  constructor(keys: JwtKeyRing, config: AppConfig) {
    super(
      {
        jwtFromRequest: (request: Request) => readAccessToken(request)?.token || null,
        secretOrKeyProvider: keyByKid(keys),
        algorithms: ['HS256'],
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
        ignoreExpiration: false,
        jsonWebTokenOptions: { clockTolerance: config.jwtClockToleranceSeconds },
      },
      (payload: unknown, done: (error: unknown, claims?: AccessTokenClaims | false) => void) =>
        done(null, parseAccessTokenClaims(payload) ?? false),
    );
  }

  /** The token's claims when it verifies as an access token of this service; undefined otherwise. */
  async claimsOf(request: Request): Promise<AccessTokenClaims | undefined> {
    const outcome = await runStrategy<AccessTokenClaims>(this, request);
    return outcome.kind === 'success' ? outcome.user : undefined;
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
