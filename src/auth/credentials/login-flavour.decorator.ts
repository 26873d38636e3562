import { SetMetadata } from '@nestjs/common';

/** What a login answers with: a cookie session, or JWTs in the body or in cookies. */
export type LoginFlavour = 'session' | 'jwt-body' | 'jwt-cookie';

export const LOGIN_FLAVOUR_KEY = 'auth:login-flavour';

/** The flavour of a login route, from its (validated) body: a second factor completes the login the same way. */
export const LoginFlavourOf = (flavour: (body: Readonly<Record<string, unknown>>) => LoginFlavour) =>
  SetMetadata(LOGIN_FLAVOUR_KEY, flavour);

declare module 'express-serve-static-core' {
  interface Request {
    /** On a login route: how the login answers (set by LocalAuthGuard). */
    loginFlavour?: LoginFlavour;
  }
}

/** `remember` of a login body (default true). */
export function rememberOf(body: unknown): boolean {
  return !(typeof body === 'object' && body !== null && (body as { remember?: unknown }).remember === false);
}
