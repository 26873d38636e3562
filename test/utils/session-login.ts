import request from 'supertest';
import type { App } from 'supertest/types';
import { cookiePair } from './http';
import type { TestUser } from './users';

export interface SessionLogin {
  /** `sid=…`, ready for a Cookie header. */
  readonly cookie: string;
  readonly csrfToken: string;
}

export async function sessionLogin(http: App, user: Pick<TestUser, 'username' | 'password'>): Promise<SessionLogin> {
  const response = await request(http).post('/auth/session/login').send({ username: user.username, password: user.password });
  if (response.status !== 200) throw new Error(`session login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { cookie: cookiePair(response, 'sid'), csrfToken: response.body.csrfToken as string };
}

/** The raw session id inside a signed `sid=s:<id>.<signature>` cookie. */
export function rawSessionId(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(2, value.lastIndexOf('.'));
}
