import { SetMetadata } from '@nestjs/common';

export const LOGIN_SETS_COOKIE_KEY = 'auth:login-sets-cookie';

/** Whether a login with this (not yet validated) body would answer with a cookie. */
export type LoginSetsCookiePredicate = (body: Readonly<Record<string, unknown>>) => boolean;

/**
 * Tells `LoginOriginGuard` which logins set a cookie, and so need the login-CSRF check. Without it,
 * every login of the route is checked (a session login always sets `sid`).
 *
 * @example
 * @UseGuards(IpThrottleGuard, LoginOriginGuard, LocalAuthGuard)
 * @LoginSetsCookie((body) => body.transport === 'cookie')
 */
export const LoginSetsCookie = (predicate: LoginSetsCookiePredicate) => SetMetadata(LOGIN_SETS_COOKIE_KEY, predicate);
