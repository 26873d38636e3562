import { createHash, createSecretKey, KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

export interface JwtKey {
  readonly kid: string;
  readonly key: KeyObject;
}

/** A public, stable name for a secret: a truncated hash that says nothing usable about it. */
export function kidOf(secret: string): string {
  return createHash('sha256').update(`kid:${secret}`, 'utf8').digest('base64url').slice(0, 16);
}

/**
 * The HS256 keys of `JWT_SECRET`: the first signs, every one verifies, chosen by the token's `kid`.
 * KeyObjects are built once: jsonwebtoken verifies about 40 times faster with them than with strings.
 */
@Injectable()
export class JwtKeyRing {
  readonly signing: JwtKey;
  private readonly byKid: ReadonlyMap<string, KeyObject>;

  constructor(config: AppConfig) {
    const keys = config.jwtSecrets.map((secret) => ({ kid: kidOf(secret), key: createSecretKey(Buffer.from(secret, 'utf8')) }));
    const [first] = keys;
    if (first === undefined) throw new Error('JWT_SECRET holds no key');
    this.signing = first;
    this.byKid = new Map(keys.map(({ kid, key }) => [kid, key]));
  }

  /** The verification key named by `kid`; undefined for a kid that names no configured secret. */
  find(kid: string): KeyObject | undefined {
    return this.byKid.get(kid);
  }
}
