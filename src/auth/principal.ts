/** Who made a request, as a guard established it: `request.user`, read with `@CurrentUser()`. */
export interface Principal {
  readonly userId: string;
  /** Current roles: read fresh enough that a role change applies at once. */
  readonly roles: readonly string[];
  readonly authMethod: 'session' | 'jwt';
  /** The login this request belongs to: the session row's public id, or the refresh family (`sid` claim). */
  readonly loginId: string;
  /** How the credential arrived; CSRF applies to cookies. */
  readonly credential: 'cookie' | 'bearer';
  /** Access token only: its `jti` and `exp` (seconds), needed to blocklist it at logout. */
  readonly accessToken?: { readonly jti: string; readonly exp: number };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- passport types request.user as Express.User
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the augmentation is the point
    interface User extends Principal {}
  }
}
