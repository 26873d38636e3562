import { randomUUID } from 'node:crypto';
import { parseAccessTokenClaims } from './access-token-claims';

const TTL = 900;

describe('parseAccessTokenClaims', () => {
  const valid = {
    sub: randomUUID(),
    jti: randomUUID(),
    iat: 1_800_000_000,
    exp: 1_800_000_900,
    iss: 'issuer',
    aud: 'audience',
    sid: randomUUID(),
    roles: ['user'],
    typ: 'access',
  };

  it('accepts the claims of an access token', () => {
    expect(parseAccessTokenClaims(valid, TTL)).toEqual(valid);
  });

  it.each([
    ['no typ', { typ: undefined }],
    ['typ "refresh"', { typ: 'refresh' }],
    ['no exp', { exp: undefined }],
    ['a string exp', { exp: '1800000900' }],
    ['no iat', { iat: undefined }],
    ['a fractional iat', { iat: 1.5 }],
    ['a numeric sub', { sub: 42 }],
    ['a sub that is not a uuid', { sub: 'admin' }],
    ['no jti', { jti: undefined }],
    ['no sid', { sid: undefined }],
    ['roles that are not a list', { roles: 'admin' }],
    ['roles that are not strings', { roles: [1] }],
    ['an exp beyond what a Date holds', { exp: 8_640_000_000_001 }],
    ['an exp of 1e300', { exp: 1e300 }],
    ['an iat beyond what a Date holds', { iat: 8_640_000_000_001, exp: 8_640_000_000_901 }],
    ['a negative iat', { iat: -1 }],
    ['an nbf beyond what a Date holds', { nbf: 8_640_000_000_001 }],
    ['a string nbf', { nbf: '0' }],
    ['an exp - iat longer than the TTL', { exp: 1_800_000_901 }],
    ['an exp before its iat', { exp: 1_799_999_999 }],
  ])('refuses a payload with %s', (_label, change) => {
    expect(parseAccessTokenClaims({ ...valid, ...change }, TTL)).toBeNull();
  });

  it('accepts an nbf within range and a lifetime of exactly the TTL', () => {
    expect(parseAccessTokenClaims({ ...valid, nbf: valid.iat }, TTL)).not.toBeNull();
    expect(parseAccessTokenClaims({ ...valid, exp: valid.iat + TTL }, TTL)).not.toBeNull();
  });

  it.each([[null], ['a string'], [42]])('refuses the payload %p', (payload) => {
    expect(parseAccessTokenClaims(payload, TTL)).toBeNull();
  });
});
