import { createHmac, createSecretKey, KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

const NONCE = /^[A-Za-z0-9_-]{22}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

/**
 * CSRF tokens of both flavours, none of them stored.
 *
 * The cookie session's token is `HMAC(key, csrfNonce)`, the nonce kept with the session: a dump of
 * `sessions.data` does not yield it, and it survives the session id's renewal. The key is derived
 * from each SESSION_SECRET; the first issues, all verify.
 *
 * Signed double-submit CSRF tokens for the JWT cookie transport: `nonce.HMAC(key, familyId.nonce)`.
 * The server can tell that a token was issued for a given login, so a token planted by an attacker
 * (or taken from another login) does not pass just because the header equals the cookie.
 * The key is derived from each JWT secret with a label of its own; the first signs, all verify.
 */
@Injectable()
export class CsrfTokenService {
  private readonly keys: readonly KeyObject[];
  private readonly sessionKeys: readonly KeyObject[];

  constructor(config: AppConfig) {
    this.keys = config.jwtSecrets.map((secret) => createSecretKey(createHmac('sha256', secret).update('csrf-token-key').digest()));
    this.sessionKeys = config.sessionSecrets.map((secret) =>
      createSecretKey(createHmac('sha256', secret).update('session-csrf-token-key').digest()),
    );
  }

  /** The cookie session's token for the nonce kept with it. */
  forSession(csrfNonce: string): string {
    return sessionMac(this.sessionKeys[0], csrfNonce);
  }

  /** True when `token` is the session's token under any configured SESSION_SECRET. */
  verifySession(token: string, csrfNonce: string): boolean {
    if (!MAC.test(token) || csrfNonce === '') return false;
    const given = Buffer.from(token, 'ascii');
    return this.sessionKeys.some((key) => timingSafeEqual(given, Buffer.from(sessionMac(key, csrfNonce), 'ascii')));
  }

  issue(familyId: string): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${nonce}.${this.mac(this.keys[0], familyId, nonce)}`;
  }

  /** True when `token` was issued by this service for `familyId`. */
  verify(token: string, familyId: string): boolean {
    const [nonce, mac, extra] = token.split('.');
    if (extra !== undefined || nonce === undefined || mac === undefined || !NONCE.test(nonce) || !MAC.test(mac)) return false;
    // Compared as text: base64url has several spellings of the same bytes, and only one is ours.
    const given = Buffer.from(mac, 'ascii');
    return this.keys.some((key) => timingSafeEqual(given, Buffer.from(this.mac(key, familyId, nonce), 'ascii')));
  }

  private mac(key: KeyObject, familyId: string, nonce: string): string {
    return createHmac('sha256', key).update(`${familyId}.${nonce}`).digest('base64url');
  }
}

function sessionMac(key: KeyObject, csrfNonce: string): string {
  return createHmac('sha256', key).update(csrfNonce).digest('base64url');
}
