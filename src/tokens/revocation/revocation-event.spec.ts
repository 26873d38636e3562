import { parseRevocationEvent } from './revocation-event';

describe('parseRevocationEvent', () => {
  it.each([
    [{ kind: 'access-token', jti: 'j', expiresAt: 1 }],
    [{ kind: 'family', familyId: 'f', expiresAt: 2 }],
    [{ kind: 'tokens-valid-after', userId: 'u', at: 3 }],
    [{ kind: 'api-keys', userId: 'u', at: 4 }],
    [{ kind: 'session-changed', sessionId: 's', at: 5 }],
    [{ kind: 'user-changed', userId: 'u', at: 6 }],
  ])('reads %j', (event) => {
    expect(parseRevocationEvent(JSON.stringify(event))).toEqual(event);
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown kind', JSON.stringify({ kind: 'roles', userId: 'u', roles: [] })],
    ['a missing field', JSON.stringify({ kind: 'family', familyId: 'f' })],
    ['a string time', JSON.stringify({ kind: 'access-token', jti: 'j', expiresAt: '1' })],
    ['a session event without its id', JSON.stringify({ kind: 'session-changed', at: 1 })],
    ['a session event with an over-long id', JSON.stringify({ kind: 'session-changed', sessionId: 'x'.repeat(65), at: 1 })],
    ['a user event without a time', JSON.stringify({ kind: 'user-changed', userId: 'u' })],
    ['null', 'null'],
  ])('ignores %s', (_label, payload) => {
    expect(parseRevocationEvent(payload)).toBeUndefined();
  });
});
