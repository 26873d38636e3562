import { createHash, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, JwtAlgorithm } from '../../config/app-config';

export interface JwtKey {
  readonly kid: string;
  readonly key: KeyObject;
}

/** A public key as published in the JWKS (RFC 7517): public parameters only. */
export interface PublicJwk {
  readonly kid: string;
  readonly kty: string;
  readonly alg: string;
  readonly use: 'sig';
  readonly crv: string;
  readonly x: string;
  readonly y?: string;
}

/** A public, stable name for a secret: a truncated hash that says nothing usable about it. */
export function kidOf(secret: string): string {
  return createHash('sha256').update(`kid:${secret}`, 'utf8').digest('base64url').slice(0, 16);
}

/** The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public EC or OKP key. */
export function thumbprintOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  // The required members only, in lexicographic order, no whitespace (RFC 7638 §3.2).
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members), 'utf8').digest('base64url');
}

/**
 * The signing keys, built once as KeyObjects (jsonwebtoken verifies about 40 times faster with them
 * than with strings). HS256: the secrets of `JWT_SECRET`, named by {@link kidOf}. ES256 and EdDSA:
 * the private keys of `JWT_PRIVATE_KEYS`, named by their RFC 7638 thumbprint; only their public
 * halves verify and are published. Either way the first signs, every one verifies, chosen by `kid`.
 */
@Injectable()
export class JwtKeyRing {
  readonly algorithm: JwtAlgorithm;
  /** The key that signs: a secret under HS256, else a private key. */
  readonly signing: JwtKey;
  /** The public keys of every configured asymmetric key; empty under HS256 (a secret is never published). */
  readonly jwks: readonly PublicJwk[];
  private readonly byKid: ReadonlyMap<string, KeyObject>;

  constructor(config: AppConfig) {
    this.algorithm = config.jwtAlgorithm;
    if (config.jwtAlgorithm === 'HS256') {
      const keys = config.jwtSecrets.map((secret) => ({ kid: kidOf(secret), key: createSecretKey(Buffer.from(secret, 'utf8')) }));
      this.signing = firstOf(keys, 'JWT_SECRET');
      this.byKid = new Map(keys.map(({ kid, key }) => [kid, key]));
      this.jwks = [];
      return;
    }
    const pairs = config.jwtPrivateKeys.map((privateKey) => {
      const publicKey = createPublicKey(privateKey);
      return { kid: thumbprintOf(publicKey), privateKey, publicKey };
    });
    this.signing = firstOf(
      pairs.map(({ kid, privateKey }) => ({ kid, key: privateKey })),
      'JWT_PRIVATE_KEYS',
    );
    this.byKid = new Map(pairs.map(({ kid, publicKey }) => [kid, publicKey]));
    this.jwks = pairs.map(({ kid, publicKey }) => publicJwk(kid, publicKey, config.jwtAlgorithm));
  }

  /** The verification key named by `kid`; undefined for a kid that names no configured key. */
  find(kid: string): KeyObject | undefined {
    return this.byKid.get(kid);
  }
}

function firstOf(keys: JwtKey[], source: string): JwtKey {
  const [first] = keys;
  if (first === undefined) throw new Error(`${source} holds no key`);
  return first;
}

function publicJwk(kid: string, publicKey: KeyObject, alg: JwtAlgorithm): PublicJwk {
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  if (kty === undefined || crv === undefined || x === undefined) throw new Error('not an EC or OKP public key');
  return y === undefined ? { kid, kty, alg, use: 'sig', crv, x } : { kid, kty, alg, use: 'sig', crv, x, y };
}
