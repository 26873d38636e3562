import { parseRevocationEvent } from './revocation-event';

describe('parseRevocationEvent', () => {
  it.each([
    [{ kind: 'access-token', jti: 'j', expiresAt: 1 }],
    [{ kind: 'family', familyId: 'f', expiresAt: 2 }],
    [{ kind: 'tokens-valid-after', userId: 'u', at: 3 }],
    [{ kind: 'api-keys', userId: 'u', at: 4 }],
  ])('reads %j', (event) => {
    expect(parseRevocationEvent(JSON.stringify(event))).toEqual(event);
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown kind', JSON.stringify({ kind: 'roles', userId: 'u', roles: [] })],
    ['a missing field', JSON.stringify({ kind: 'family', familyId: 'f' })],
    ['a string time', JSON.stringify({ kind: 'access-token', jti: 'j', expiresAt: '1' })],
    ['null', 'null'],
  ])('ignores %s', (_label, payload) => {
    expect(parseRevocationEvent(payload)).toBeUndefined();
  });
});
