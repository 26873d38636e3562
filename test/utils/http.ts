import request, { Response } from 'supertest';
import type { App } from 'supertest/types';

export interface TestUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

let sequence = 0;

/** Registers a fresh user through the API and returns its credentials. */
export async function registerUser(http: App, prefix = 'user'): Promise<TestUser> {
  sequence += 1;
  const username = `${prefix}${sequence}${Math.floor(Math.random() * 1e6)}`.slice(0, 32);
  const credentials = { username, email: `${username}@example.com`, password: `pass phrase for ${username}` };
  const response = await request(http).post('/auth/register').send(credentials);
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.id as string, ...credentials };
}

export interface SetCookie {
  readonly name: string;
  readonly value: string;
  /** Attribute names lower-cased; flag attributes map to ''. */
  readonly attributes: Readonly<Record<string, string>>;
}

export function setCookies(response: Response): SetCookie[] {
  const header = response.headers['set-cookie'] as unknown;
  const lines = Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
  return lines.map((line) => {
    const [pair, ...attributeParts] = line.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const attributes: Record<string, string> = {};
    for (const part of attributeParts) {
      const equals = part.indexOf('=');
      if (equals === -1) attributes[part.toLowerCase()] = '';
      else attributes[part.slice(0, equals).toLowerCase()] = part.slice(equals + 1);
    }
    return { name: pair.slice(0, separator), value: pair.slice(separator + 1), attributes };
  });
}

export function setCookie(response: Response, name: string): SetCookie | undefined {
  return setCookies(response).find((cookie) => cookie.name === name);
}

/** The `name=value` pair to send back in a Cookie header. */
export function cookiePair(response: Response, name: string): string {
  const cookie = setCookie(response, name);
  if (cookie === undefined) throw new Error(`response set no ${name} cookie`);
  return `${name}=${cookie.value}`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
