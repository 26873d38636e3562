/** Who made a request, as a guard established it: `request.user`, read with `@CurrentUser()`. */
export interface Principal {
  readonly userId: string;
  /** Current roles: read fresh enough that a role change applies at once. */
  readonly roles: readonly string[];
  readonly authMethod: 'session' | 'jwt' | 'api_key';
  /** The login this request belongs to: the session row's public id, the refresh family (`sid` claim), or the API key's id. */
  readonly loginId: string;
  /** How the credential arrived; CSRF applies to cookies. */
  readonly credential: 'cookie' | 'bearer';
  /** Access token only: its `jti` and `exp` (seconds), needed to blocklist it at logout. */
  readonly accessToken?: { readonly jti: string; readonly exp: number };
  /** API key only: what the key may do (ApiKeyGuard with `@Scopes(...)`); a key carries no roles. */
  readonly scopes?: readonly string[];
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- passport types request.user as Express.User
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the augmentation is the point
    interface User extends Principal {}
  }
}
