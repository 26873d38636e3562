import type { Request } from 'express';
import { ACCESS_TOKEN_COOKIE, readCookie } from './jwt-cookies';

/** Far above any token this service signs; longer strings are refused without being parsed. */
const MAX_TOKEN_LENGTH = 4096;
const BEARER = /^Bearer +(\S+) *$/i;

export interface PresentedAccessToken {
  /** Empty when the credential was sent but malformed. */
  readonly token: string;
  readonly source: 'bearer' | 'cookie';
}

/**
 * The access token of a request: the Authorization header (Bearer) first, else the `access_token`
 * cookie, never the query string. Undefined when the request carries neither.
 */
export function readAccessToken(request: Request): PresentedAccessToken | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    return { token: header.length > MAX_TOKEN_LENGTH + 16 ? '' : bounded(BEARER.exec(header)?.[1]), source: 'bearer' };
  }
  const cookie = readCookie(request, ACCESS_TOKEN_COOKIE);
  return cookie === undefined ? undefined : { token: bounded(cookie), source: 'cookie' };
}

function bounded(token: string | undefined): string {
  return token !== undefined && token.length <= MAX_TOKEN_LENGTH ? token : '';
}
