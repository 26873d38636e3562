import { randomUUID } from 'node:crypto';
import { parseAccessTokenClaims } from './access-token-claims';

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
    expect(parseAccessTokenClaims(valid)).toEqual(valid);
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
  ])('refuses a payload with %s', (_label, change) => {
    expect(parseAccessTokenClaims({ ...valid, ...change })).toBeNull();
  });

  it.each([[null], ['a string'], [42]])('refuses the payload %p', (payload) => {
    expect(parseAccessTokenClaims(payload)).toBeNull();
  });
});
