import { Injectable } from '@nestjs/common';
import { jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../../config/app-config';
import { AccessTokenClaims, parseAccessTokenClaims } from './access-token-claims';
import { JwtKeyRing } from './jwt-key-ring';

/** Header members a token of this service may carry; anything else (`jwk`, `jku`, `x5u`, `x5c`, `crit`, …) is refused. */
const ALLOWED_HEADER_MEMBERS = new Set(['alg', 'typ', 'kid']);
/** Verified tokens kept with their claims; about 1 KB each. */
const VERIFIED_TOKENS_MAX = 10_000;
/**
 * How far ahead of this instance's clock (beyond JWT_CLOCK_TOLERANCE) a token may be dated. This
 * service dates a token at most one second ahead (the second after a same-second logout-all), and
 * instances' clocks differ by a little; a token dated later would outlive every logout-all until then.
 */
const FUTURE_IAT_SLACK_SECONDS = 60;

/**
 * What makes a signed access token valid, beside the code that signs it (AccessTokenService). The
 * algorithm is pinned to `JWT_ALGORITHM` (an HS256 token "signed" with a public key, `none`, or any
 * other algorithm fails); the header may hold only `alg`, `typ` and `kid`, and the key is picked by
 * `kid` from memory (an unknown kid fails; embedded or remote keys are never looked at); issuer and
 * audience are pinned; `exp` is required and `exp`/`nbf` are checked with `JWT_CLOCK_TOLERANCE`; an
 * `iat` more than a minute (plus that tolerance) ahead is refused.
 * HS256 verifies with jsonwebtoken (synchronous, about 10 µs), ES256 and EdDSA with jose
 * (jsonwebtoken 9 has no EdDSA). {@link parseAccessTokenClaims} then insists on an access token.
 *
 * A token that verified is remembered with its claims, so the same token presented again skips the
 * signature check and the parsing (a fifth of JwtGuard's CPU in the profile); its expiry is checked
 * again at every use, as jsonwebtoken and jose check it. The keys are fixed for the life of the
 * process, so a remembered token cannot outlive its key. Revocation is never remembered here.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    private readonly keys: JwtKeyRing,
    private readonly config: AppConfig,
  ) {}

  private readonly verified = new LRUCache<string, AccessTokenClaims>({ max: VERIFIED_TOKENS_MAX });

  /** The claims of a valid access token, or null: never the reason, which is nobody's business. */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    const remembered = this.verified.get(token);
    if (remembered !== undefined) return this.isUnexpired(remembered) ? remembered : null;
    const claims = await this.verifySignedToken(token);
    if (claims !== null) this.verified.set(token, claims);
    return claims;
  }

  /** jsonwebtoken's and jose's rule: expired from `exp + JWT_CLOCK_TOLERANCE`, in whole seconds. */
  private isUnexpired(claims: AccessTokenClaims): boolean {
    return Math.floor(Date.now() / 1000) < claims.exp + this.config.jwtClockToleranceSeconds;
  }

  /** The claims, unless they are dated further ahead than {@link FUTURE_IAT_SLACK_SECONDS}. */
  private datedInTime(claims: AccessTokenClaims | null): AccessTokenClaims | null {
    const latest = Math.floor(Date.now() / 1000) + FUTURE_IAT_SLACK_SECONDS + this.config.jwtClockToleranceSeconds;
    return claims !== null && claims.iat <= latest ? claims : null;
  }

  private async verifySignedToken(token: string): Promise<AccessTokenClaims | null> {
    const header = readHeader(token);
    if (header === undefined || header.alg !== this.keys.algorithm) return null;
    const key = this.keys.find(header.kid);
    if (key === undefined) return null;
    const { jwtIssuer: issuer, jwtAudience: audience, jwtClockToleranceSeconds: clockTolerance } = this.config;
    try {
      if (this.keys.algorithm === 'HS256') {
        // The typings predate KeyObject; jsonwebtoken 9 takes it.
        const payload = jwt.verify(token, key as unknown as string, { algorithms: ['HS256'], issuer, audience, clockTolerance });
        return this.datedInTime(parseAccessTokenClaims(payload, this.config.jwtAccessTtlSeconds));
      }
      const { payload } = await jwtVerify(token, key, {
        algorithms: [this.keys.algorithm],
        issuer,
        audience,
        clockTolerance,
        requiredClaims: ['exp'],
      });
      return this.datedInTime(parseAccessTokenClaims(payload, this.config.jwtAccessTtlSeconds));
    } catch {
      return null;
    }
  }
}

interface TokenHeader {
  readonly alg: unknown;
  readonly kid: string;
}

/** The header of a compact JWS, read without trusting it: undefined unless it is one this service could have signed. */
function readHeader(token: string): TokenHeader | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
  const members = header as Record<string, unknown>;
  if (!Object.keys(members).every((name) => ALLOWED_HEADER_MEMBERS.has(name))) return undefined;
  if (members.typ !== undefined && members.typ !== 'JWT') return undefined;
  return typeof members.kid === 'string' ? { alg: members.alg, kid: members.kid } : undefined;
}
