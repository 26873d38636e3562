/** The PostgreSQL NOTIFY channel on which every instance learns of revocations. */
export const REVOCATION_CHANNEL = 'auth_revocations';

/** A revocation, as stored in memory and sent between instances. Times are epoch milliseconds. */
export type RevocationEvent =
  /** One access token is blocklisted until its own expiry. */
  | { readonly kind: 'access-token'; readonly jti: string; readonly expiresAt: number }
  /** A refresh family is revoked: its access tokens stop too. */
  | { readonly kind: 'family'; readonly familyId: string; readonly expiresAt: number }
  /** Every access token of the user issued at or before `at` stops. */
  | { readonly kind: 'tokens-valid-after'; readonly userId: string; readonly at: number }
  /** The user's roles changed at `at`: tokens issued before carry stale roles, these replace them. */
  | { readonly kind: 'roles'; readonly userId: string; readonly roles: readonly string[]; readonly at: number }
  /** The user's API keys changed (one created or revoked, the user disabled or enabled): reload them from the database. */
  | { readonly kind: 'api-keys'; readonly userId: string; readonly at: number }
  /** A cookie session ended, or its data or lifetime changed (database triggers send it): drop it from memory. `sessionId` is the row's public id. */
  | { readonly kind: 'session-changed'; readonly sessionId: string; readonly at: number }
  /** What a session's principal carries changed for the user (roles, disabled, credentials…), or the user was deleted (database triggers send it). */
  | { readonly kind: 'user-changed'; readonly userId: string; readonly at: number };

/** A notification's payload, or undefined when it is not one this version understands. */
export function parseRevocationEvent(payload: string): RevocationEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const event = value as Record<string, unknown>;
  switch (event.kind) {
    case 'access-token':
      return isId(event.jti) && isTime(event.expiresAt) ? { kind: 'access-token', jti: event.jti, expiresAt: event.expiresAt } : undefined;
    case 'family':
      return isId(event.familyId) && isTime(event.expiresAt)
        ? { kind: 'family', familyId: event.familyId, expiresAt: event.expiresAt }
        : undefined;
    case 'tokens-valid-after':
      return isId(event.userId) && isTime(event.at) ? { kind: 'tokens-valid-after', userId: event.userId, at: event.at } : undefined;
    case 'roles':
      return isId(event.userId) && isTime(event.at) && isRoleList(event.roles)
        ? { kind: 'roles', userId: event.userId, roles: event.roles, at: event.at }
        : undefined;
    case 'api-keys':
      return isId(event.userId) && isTime(event.at) ? { kind: 'api-keys', userId: event.userId, at: event.at } : undefined;
    case 'session-changed':
      return isId(event.sessionId) && isTime(event.at) ? { kind: 'session-changed', sessionId: event.sessionId, at: event.at } : undefined;
    case 'user-changed':
      return isId(event.userId) && isTime(event.at) ? { kind: 'user-changed', userId: event.userId, at: event.at } : undefined;
    default:
      return undefined;
  }
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64;
}

function isRoleList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= 20 && value.every((role) => typeof role === 'string' && role.length <= 32);
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
