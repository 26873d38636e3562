import { createHmac, KeyObject, randomUUID, sign as cryptoSign } from 'node:crypto';
import request from 'supertest';
import { kidOf } from '../../src/tokens/access/jwt-key-ring';
import type { TestTarget } from './create-test-app';
import { PASSWORD } from './users';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshExpiresIn: number;
}

/** Logs in with the body transport and returns the pair; fails the test on any other answer. */
export async function login(t: TestTarget, username: string): Promise<TokenPair> {
  const response = await request(t.http).post('/auth/jwt/login').send({ username, password: PASSWORD });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as TokenPair;
}

export function refresh(t: TestTarget, refreshToken: string): request.Test {
  return request(t.http).post('/auth/jwt/refresh').send({ refreshToken });
}

export function me(t: TestTarget, accessToken: string): request.Test {
  return request(t.http).get('/auth/jwt/me').set('Authorization', `Bearer ${accessToken}`);
}

export function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

/** Valid access-token claims for `userId`, as the service would sign them, at the current second. */
export function accessClaims(t: TestTarget, userId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: userId,
    jti: randomUUID(),
    iat: now,
    exp: now + 300,
    iss: t.config.jwtIssuer,
    aud: t.config.jwtAudience,
    sid: randomUUID(),
    roles: ['user'],
    typ: 'access',
    ...overrides,
  };
}

export type TestAlgorithm = 'HS256' | 'HS384' | 'HS512' | 'RS256';

/**
 * Signs claims exactly as given (undefined claims are left out), with node:crypto directly, never
 * through the service: the test controls every byte of header and payload.
 */
export function signWith(
  claims: Record<string, unknown>,
  key: string | KeyObject,
  options: { algorithm?: TestAlgorithm; kid?: string } = {},
): string {
  const algorithm = options.algorithm ?? 'HS256';
  const header = { alg: algorithm, typ: 'JWT', ...(options.kid === undefined ? {} : { kid: options.kid }) };
  const input = `${base64url(header)}.${base64url(claims)}`;
  const signature =
    algorithm === 'RS256'
      ? cryptoSign('sha256', Buffer.from(input), key)
      : createHmac(`sha${algorithm.slice(2)}`, key)
          .update(input)
          .digest();
  return `${input}.${signature.toString('base64url')}`;
}

export function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function kid(secret: string): string {
  return kidOf(secret);
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the milliseconds it took, or undefined. */
export async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started <= timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((done) => setTimeout(done, 20));
  }
  return undefined;
}
