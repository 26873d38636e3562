import type { CookieOptions, Request, Response } from 'express';

export const ACCESS_TOKEN_COOKIE = 'access_token';
export const REFRESH_TOKEN_COOKIE = 'refresh_token';
export const CSRF_TOKEN_COOKIE = 'csrf_token';
/** The refresh cookie goes to the JWT endpoints only. */
export const REFRESH_TOKEN_COOKIE_PATH = '/auth/jwt';

export interface JwtCookieValues {
  readonly accessToken: string;
  /** Seconds. */
  readonly accessTokenMaxAge: number;
  readonly refreshToken: string;
  /** Seconds: until the family's absolute expiry. */
  readonly refreshTokenMaxAge: number;
  readonly csrfToken: string;
}

/** The cookie transport of API.md: two HttpOnly token cookies and a script-readable CSRF cookie. */
export function setJwtCookies(response: Response, values: JwtCookieValues, secure: boolean): void {
  const options = cookieOptions(secure);
  response.cookie(ACCESS_TOKEN_COOKIE, values.accessToken, { ...options.access, maxAge: values.accessTokenMaxAge * 1000 });
  response.cookie(REFRESH_TOKEN_COOKIE, values.refreshToken, { ...options.refresh, maxAge: values.refreshTokenMaxAge * 1000 });
  response.cookie(CSRF_TOKEN_COOKIE, values.csrfToken, { ...options.csrf, maxAge: values.refreshTokenMaxAge * 1000 });
}

export function clearJwtCookies(response: Response, secure: boolean): void {
  const options = cookieOptions(secure);
  response.clearCookie(ACCESS_TOKEN_COOKIE, options.access);
  response.clearCookie(REFRESH_TOKEN_COOKIE, options.refresh);
  response.clearCookie(CSRF_TOKEN_COOKIE, options.csrf);
}

/** A cookie's value when it is a non-empty string (cookie-parser turns `j:` values into objects). */
export function readCookie(request: Request, name: string): string | undefined {
  const cookies: unknown = request.cookies;
  if (typeof cookies !== 'object' || cookies === null) return undefined;
  const value: unknown = (cookies as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function cookieOptions(secure: boolean): Record<'access' | 'refresh' | 'csrf', CookieOptions> {
  return {
    access: { httpOnly: true, secure, sameSite: 'lax', path: '/' },
    refresh: { httpOnly: true, secure, sameSite: 'strict', path: REFRESH_TOKEN_COOKIE_PATH },
    csrf: { httpOnly: false, secure, sameSite: 'strict', path: '/' },
  };
}
