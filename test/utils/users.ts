import request from 'supertest';
import type { TestTarget } from './create-test-app';

/** The password of every user the helpers register (it passes the policy). */
export const PASSWORD = 'a decent passphrase';

export interface TestUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

let sequence = 0;

/** Registers `username` (with `<username>@example.com` and {@link PASSWORD}) through the API. */
export async function registerUser(t: Pick<TestTarget, 'http'>, username: string): Promise<TestUser> {
  const user = { username, email: `${username}@example.com`, password: PASSWORD };
  const response = await request(t.http).post('/auth/register').send(user);
  if (response.status !== 201) throw new Error(`register ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.id as string, ...user };
}

/** Registers a user whose name starts with `prefix` and is new in this run. */
export function registerUniqueUser(t: Pick<TestTarget, 'http'>, prefix = 'user'): Promise<TestUser> {
  sequence += 1;
  return registerUser(t, `${prefix}${sequence}${Math.floor(Math.random() * 1e6)}`.slice(0, 32));
}
