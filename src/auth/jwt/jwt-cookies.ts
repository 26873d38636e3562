import type { CookieOptions, Request, Response } from 'express';
import type { AppConfig } from '../../config/app-config';

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

/** The attributes the cookies depend on: COOKIE_SECURE, COOKIE_SAMESITE, COOKIE_DOMAIN. */
export type JwtCookieConfig = Pick<AppConfig, 'cookieSecure' | 'cookieSameSite' | 'cookieDomain'>;

/** The cookie transport of API.md: two HttpOnly token cookies and a script-readable CSRF cookie. */
export function setJwtCookies(response: Response, values: JwtCookieValues, config: JwtCookieConfig): void {
  const options = cookieOptions(config);
  response.cookie(ACCESS_TOKEN_COOKIE, values.accessToken, { ...options.access, maxAge: values.accessTokenMaxAge * 1000 });
  response.cookie(REFRESH_TOKEN_COOKIE, values.refreshToken, { ...options.refresh, maxAge: values.refreshTokenMaxAge * 1000 });
  response.cookie(CSRF_TOKEN_COOKIE, values.csrfToken, { ...options.csrf, maxAge: values.refreshTokenMaxAge * 1000 });
}

/** Sets `csrf_token` again (GET /auth/jwt/csrf), with the attributes of the login's. */
export function setCsrfCookie(response: Response, csrfToken: string, maxAgeSeconds: number, config: JwtCookieConfig): void {
  response.cookie(CSRF_TOKEN_COOKIE, csrfToken, { ...cookieOptions(config).csrf, maxAge: maxAgeSeconds * 1000 });
}

export function clearJwtCookies(response: Response, config: JwtCookieConfig): void {
  const options = cookieOptions(config);
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

/**
 * `access_token` follows COOKIE_SAMESITE; `refresh_token` is Strict (API.md). `csrf_token` is Strict
 * too, except with COOKIE_SAMESITE=none: a cross-site front end's unsafe requests must then carry it
 * for the double submit to match (it proves nothing by itself: the header must equal it).
 */
function cookieOptions(config: JwtCookieConfig): Record<'access' | 'refresh' | 'csrf', CookieOptions> {
  const common = { secure: config.cookieSecure, ...(config.cookieDomain === undefined ? {} : { domain: config.cookieDomain }) };
  return {
    access: { ...common, httpOnly: true, sameSite: config.cookieSameSite, path: '/' },
    refresh: { ...common, httpOnly: true, sameSite: 'strict', path: REFRESH_TOKEN_COOKIE_PATH },
    csrf: { ...common, httpOnly: false, sameSite: config.cookieSameSite === 'none' ? 'none' : 'strict', path: '/' },
  };
}
