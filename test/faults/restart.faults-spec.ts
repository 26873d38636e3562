import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { login } from '../utils/jwt-helpers';
import { sessionLogin } from '../utils/session-login';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';
import { startTestServer, type TestServer } from '../utils/test-server';
import { registerUser, type TestUser } from '../utils/users';

/**
 * What a restart of PostgreSQL does to two instances with refreshes in flight: every connection
 * drops at once, mid-transaction, and new ones are refused for a while. The instances reach the
 * database through a TCP relay this test controls (the migration URL goes direct), so the "restart"
 * hits only this spec's instances. Clients do what the contract tells them to: one Idempotency-Key
 * per refresh attempt, the same key and token on every retry of that attempt.
 */
class DatabaseRelay {
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private readonly server: Server;
  port = 0;

  private constructor(private readonly target: URL) {
    this.server = createServer((client) => this.relay(client));
  }

  static async start(target: URL): Promise<DatabaseRelay> {
    const relay = new DatabaseRelay(target);
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    const address = relay.server.address();
    relay.port = typeof address === 'object' && address !== null ? address.port : 0;
    return relay;
  }

  private relay(client: Socket): void {
    if (this.refusing) return void client.destroy();
    const upstream = connect(Number(this.target.port || 5432), this.target.hostname);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  /** Drops every connection at once and refuses new ones for `ms`. */
  async restart(ms: number): Promise<void> {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.refusing = false;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const FAMILIES = 12;
const ROTATIONS = 12;

describe('a database restart while refreshes are in flight, on two instances', () => {
  let database: TestDatabase;
  let relay: DatabaseRelay;
  let a: TestServer;
  let b: TestServer;
  let user: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase();
    relay = await DatabaseRelay.start(new URL(database.url));
    const relayed = new URL(database.url);
    relayed.port = String(relay.port);
    const env = {
      DATABASE_URL: relayed.toString(),
      DATABASE_MIGRATION_URL: database.url,
      JWT_SECRET: randomUUID() + randomUUID(),
      SESSION_SECRET: randomUUID() + randomUUID(),
      PASSWORD_PEPPER: randomUUID() + randomUUID(),
    };
    a = await startTestServer({ database, env });
    b = await startTestServer({ database, env });
    user = await registerUser(a, 'restarted');
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await relay?.close();
    await database?.drop();
  }, 60_000);

  it('answers no 500, detects no false reuse, and loses no login or session', async () => {
    const statuses: number[] = [];
    const session = await sessionLogin(a.http, user);
    const families = await Promise.all(Array.from({ length: FAMILIES }, () => login(a, user.username)));

    /** One refresh attempt: a new key, retried with the same key and token until it gets an answer. */
    async function refreshOnce(refreshToken: string, attempt: number): Promise<string | undefined> {
      const key = randomUUID();
      for (let retry = 0; retry < 40; retry++) {
        const target = (attempt + retry) % 2 === 0 ? a : b;
        const response = await fetch(`${target.http}/auth/jwt/refresh`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
          body: JSON.stringify({ refreshToken }),
        }).catch(() => undefined);
        if (response === undefined) continue;
        statuses.push(response.status);
        if (response.status === 200) return ((await response.json()) as { refreshToken: string }).refreshToken;
        if (response.status !== 503) return undefined;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return undefined;
    }

    const chains = families.map(async (family, index) => {
      let token: string | undefined = family.refreshToken;
      for (let rotation = 0; rotation < ROTATIONS && token !== undefined; rotation++) token = await refreshOnce(token, index + rotation);
      return token;
    });
    const restarts = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await relay.restart(1500);
      await new Promise((resolve) => setTimeout(resolve, 700));
      await relay.restart(1500);
    })();
    const [finalTokens] = await Promise.all([Promise.all(chains), restarts]);

    // The restarts hit refreshes in flight (503s were answered and retried), yet nothing else went wrong.
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(finalTokens.filter((token) => token === undefined)).toHaveLength(0);
    const reuse = await a.query<{ n: string }>("SELECT count(*) AS n FROM auth_events WHERE type = 'refresh.reuse_detected'");
    expect(Number(reuse[0]?.n)).toBe(0);
    const revoked = await a.query<{ n: string }>('SELECT count(*) AS n FROM refresh_families WHERE revoked_at IS NOT NULL');
    expect(Number(revoked[0]?.n)).toBe(0);
    // The session made before the restarts still works, on both instances.
    for (const instance of [a, b]) {
      const me = await fetch(`${instance.http}/auth/session/me`, { headers: { Cookie: session.cookie } });
      expect(me.status).toBe(200);
    }
  }, 300_000);
});
