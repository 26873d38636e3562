import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * The embedded PostgreSQL launcher on its own: a data folder inside a private (0700) folder, as a
 * clone under /root. As root the cluster must land in the service folder, which the postgres OS
 * user can reach; as an ordinary user, in the data folder itself.
 */
const isRoot = process.getuid?.() === 0;

async function query<T>(server: EmbeddedPostgres, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function passwordFilesInTmp(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('pg-password-'));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !state.slice(state.lastIndexOf(')') + 2).startsWith('Z');
}

describe('the embedded PostgreSQL launcher', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ops-embedded-'));
  const serviceDir = join(scratch, 'service');
  const privateDir = join(scratch, 'private');
  const started: EmbeddedPostgres[] = [];
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  async function start(dataDir: string, attachToRunning = false): Promise<EmbeddedPostgres> {
    const server = await startEmbeddedPostgres({ dataDir, serviceDir, log, attachToRunning });
    started.push(server);
    return server;
  }

  beforeAll(() => {
    chmodSync(scratch, 0o711); // the service folder inside must be reachable; `private` is not
    mkdirSync(privateDir, { mode: 0o700 });
  });

  afterAll(async () => {
    for (const server of started) await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('runs a cluster whose data folder sits in a private folder, leaving no secret readable by others', async () => {
    const before = passwordFilesInTmp();
    const dataDir = join(privateDir, 'clone', '.data', 'postgres');

    const server = await start(dataDir);

    expect(await query<{ one: number }>(server, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    if (isRoot) {
      expect(server.dataDir.startsWith(join(serviceDir, 'clusters'))).toBe(true);
      expect(readFileSync(`${dataDir}.location`, 'utf8').trim()).toBe(join(server.dataDir, '..'));
      expect(statSync(serviceDir).mode & 0o777).toBe(0o711);
      expect(statSync(server.dataDir).mode & 0o077).toBe(0);
    } else {
      expect(server.dataDir).toBe(dataDir);
    }
    expect(statSync(server.passwordFile).mode & 0o077).toBe(0);
    expect(readFileSync(server.passwordFile, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
    expect(passwordFilesInTmp()).toEqual(before);
    expect(lines.join('\n')).not.toContain(readFileSync(server.passwordFile, 'utf8').trim());
  }, 120_000);

  it('keeps the data across a restart, and gives another data folder a cluster of its own', async () => {
    const dataDir = join(privateDir, 'keep', 'postgres');
    const first = await start(dataDir);
    await query(first, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    const postmasterPid = Number(readFileSync(join(first.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    await first.stop();
    expect(isRunning(postmasterPid)).toBe(false);

    const again = await start(dataDir);
    expect(again.dataDir).toBe(first.dataDir);
    expect(await query<{ n: number }>(again, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);

    const other = await start(join(privateDir, 'other', 'postgres'));
    expect(other.dataDir).not.toBe(again.dataDir);
    expect(await query(other, "SELECT 1 FROM pg_tables WHERE tablename = 'kept'")).toEqual([]);
  }, 120_000);

  it('refuses a cluster another live process runs, and attaches to it when asked', async () => {
    const dataDir = join(privateDir, 'shared', 'postgres');
    const owner = await start(dataDir);

    // The running server belongs to this very process, which counts as a live owner.
    await expect(start(dataDir)).rejects.toThrow(/is in use by PostgreSQL/);
    const attached = await start(dataDir, true);

    expect(attached.port).toBe(owner.port);
    expect(await query<{ one: number }>(attached, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await attached.stop();
    expect(await query<{ one: number }>(owner, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  }, 120_000);

  it('fails with one line that says what to do, never a stack', async () => {
    const dataDir = join(privateDir, 'lost-password', 'postgres');
    const server = await start(dataDir);
    await server.stop();
    unlinkSync(server.passwordFile);

    const failure = await start(dataDir).then(
      () => undefined,
      (error: unknown) => error as Error,
    );

    expect(failure?.message).toMatch(/password file .* is missing; restore it, or delete the cluster/);
    expect(failure?.message).not.toContain('\n');
  }, 120_000);

  (isRoot ? it : it.skip)(
    'as root, names the service folder the postgres OS user cannot reach',
    async () => {
      const hidden = join(privateDir, 'unreachable-service');
      const failure = await startEmbeddedPostgres({ dataDir: join(privateDir, 'x', 'postgres'), serviceDir: hidden, log }).then(
        () => undefined,
        (error: unknown) => error as Error,
      );

      expect(failure?.message).toContain(`cannot reach the embedded PostgreSQL service folder (EMBEDDED_POSTGRES_DIR) in ${hidden}`);
      expect(failure?.message).not.toContain('\n');
      expect(existsSync(join(hidden, 'clusters'))).toBe(false);
    },
    60_000,
  );
});
