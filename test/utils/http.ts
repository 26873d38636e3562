import type { Response } from 'supertest';

export interface SetCookie {
  readonly name: string;
  /** The value, URI-decoded. */
  readonly value: string;
  /** The value as sent, to put back in a Cookie header. */
  readonly raw: string;
  /** Attribute names lower-cased; flag attributes (HttpOnly, Secure) map to true. */
  readonly attributes: Readonly<Record<string, string | true>>;
}

/** The response's Set-Cookie headers by cookie name. */
export function setCookies(response: Response): Map<string, SetCookie> {
  const header = response.headers['set-cookie'] as unknown;
  const lines = Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
  const cookies = new Map<string, SetCookie>();
  for (const line of lines) {
    const [pair = '', ...parts] = line.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const attributes: Record<string, string | true> = {};
    for (const part of parts) {
      const equals = part.indexOf('=');
      if (equals === -1) attributes[part.toLowerCase()] = true;
      else attributes[part.slice(0, equals).toLowerCase()] = part.slice(equals + 1);
    }
    const name = pair.slice(0, separator);
    const raw = pair.slice(separator + 1);
    cookies.set(name, { name, value: decodeURIComponent(raw), raw, attributes });
  }
  return cookies;
}

export function setCookie(response: Response, name: string): SetCookie | undefined {
  return setCookies(response).get(name);
}

/** The `name=value` pair to send back in a Cookie header. */
export function cookiePair(response: Response, name: string): string {
  const cookie = setCookie(response, name);
  if (cookie === undefined) throw new Error(`response set no ${name} cookie`);
  return `${name}=${cookie.raw}`;
}

/** A Cookie request header from name/value pairs. */
export function cookieHeader(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('; ');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
