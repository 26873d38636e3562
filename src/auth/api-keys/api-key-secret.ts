import { createHmac, hkdfSync } from 'node:crypto';
import { newSecretToken } from '../../common/crypto/secret-token';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

/** Fixed and recognisable, so secret scanners find leaked keys; a JWT never starts with it. */
export const API_KEY_PREFIX = 'nab_';
const API_KEY_FORMAT = /^nab_[A-Za-z0-9_-]{43}$/;

/** Cheap shape check, so garbage never costs a lookup (or a query). */
export function looksLikeApiKey(value: string): boolean {
  return API_KEY_FORMAT.test(value);
}

/**
 * Makes API keys (`nab_` + 256 random bits, base64url) and the HMAC-SHA-256 the database keeps
 * instead. A fast keyed hash is enough: a 256-bit random key cannot be guessed back from its hash,
 * so bcrypt's slowness would only cost every request; the key (HKDF of PASSWORD_PEPPER, which never
 * rotates) keeps a stolen table useless without the server's configuration.
 */
@Injectable()
export class ApiKeySecret {
  private readonly hmacKey: Buffer;

  constructor(config: AppConfig) {
    this.hmacKey = Buffer.from(hkdfSync('sha256', config.passwordPepper, 'nest-auth-backend', 'api-key-hash/v1', 32));
  }

  generate(): string {
    return `${API_KEY_PREFIX}${newSecretToken()}`;
  }

  /** Hex HMAC-SHA-256 of the key: what the table and memory are keyed by. */
  hash(key: string): string {
    return createHmac('sha256', this.hmacKey).update(key, 'utf8').digest('hex');
  }
}
