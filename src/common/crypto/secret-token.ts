import { createHash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/**
 * 256 random bits, base64url: every secret this service hands out and keeps only as a hash
 * (session ids are express-session's own, refresh tokens, reset links, CSRF tokens).
 */
export function newSecretToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * What the database stores instead of a secret (hex SHA-256). A fast hash is enough for 256-bit
 * random values: nobody can guess their way back; passwords get bcrypt instead.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Cheap shape check of a token from {@link newSecretToken}, so garbage never costs a query. */
export function isSecretToken(value: string): boolean {
  return TOKEN_FORMAT.test(value);
}
