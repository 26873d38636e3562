import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SessionData, Store } from 'express-session';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { hashSecret } from '../../common/crypto/secret-token';
import { CachedSession, SessionCache } from './session-cache';

// Written by hand: the maintained stores (connect-pg-simple, connect-typeorm) key rows by the raw
// session id and have no user, idle or absolute-expiry columns, which this service requires.

const MAX_TOUCH_INTERVAL_MS = 60_000;
const COLUMN_FIELDS = ['userId', 'ip', 'userAgent', 'loaded'] as const;

interface SessionRow {
  id: string;
  data: Record<string, unknown>;
  user_id: string;
  last_used_at: Date;
  idle_expires_at: Date;
  absolute_expires_at: Date;
  /** The database's clock when it read the row: the expiries are turned into deadlines on this process's clock. */
  read_at: Date;
  username: string;
  email: string;
  roles: string[];
  disabled: boolean;
  user_created_at: Date;
  email_verified: boolean;
  mfa_enabled: boolean;
}

type Callback<T = void> = (error?: unknown, value?: T) => void;
/** What TypeORM's `query` gives for UPDATE or DELETE … RETURNING: the rows and the affected count. */
type Returned<T> = [T[], number];

/**
 * express-session store over the `sessions` table. A session counts only while both its idle and
 * absolute expiry lie ahead: an expired row is treated as absent. Loading joins the user, so the
 * guard gets fresh roles and the disabled flag in the one query a session request costs, and
 * {@link SessionCache} keeps what was loaded, so that while it is current that query is skipped.
 */
@Injectable()
export class PostgresSessionStore extends Store {
  private readonly touchIntervalMs: number;
  /** Sessions this process inserted: express-session saves a regenerated session twice. */
  private readonly inserted = new WeakSet<SessionData>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly cache: SessionCache,
  ) {
    super();
    // Last-used is written at most once per interval: the load is on every request's path.
    this.touchIntervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, (config.sessionIdleTimeoutSeconds * 1000) / 10);
  }

  override get(sessionId: string, callback: Callback<SessionData | null>): void {
    const sidHash = hashSecret(sessionId);
    const cached = this.cache.find(sidHash);
    if (cached !== undefined) {
      callback(null, sessionDataOf(cached));
      return;
    }
    this.loadSession(sidHash).then(
      (session) => callback(null, session),
      (error: unknown) => callback(error),
    );
  }

  override set(sessionId: string, session: SessionData, callback?: Callback): void {
    this.saveSession(sessionId, session).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  override touch(sessionId: string, session: SessionData, callback?: () => void): void {
    const lastUsedAtMs = session.loaded?.lastUsedAtMs ?? 0;
    const startedAt = Date.now();
    if (startedAt - lastUsedAtMs < this.touchIntervalMs) {
      callback?.();
      return;
    }
    const sidHash = hashSecret(sessionId);
    // Concurrent requests on the cached session see the touch as done and do not write it again.
    this.cache.touched(sidHash, startedAt);
    this.dataSource
      .query<Returned<{ idle_expires_at: Date; read_at: Date }>>(
        `UPDATE sessions
            SET last_used_at = now(),
                idle_expires_at = LEAST(now() + make_interval(secs => $2), absolute_expires_at)
          WHERE sid_hash = $1 AND idle_expires_at > now() AND absolute_expires_at > now()
          RETURNING idle_expires_at, now() AS read_at`,
        [sidHash, this.config.sessionIdleTimeoutSeconds],
      )
      .then(
        ([[row]]) => {
          if (row === undefined) this.cache.drop(sidHash);
          else this.cache.touched(sidHash, startedAt, deadline(startedAt, row.read_at, row.idle_expires_at));
          callback?.();
        },
        () => callback?.(),
      );
  }

  override destroy(sessionId: string, callback?: Callback): void {
    this.dataSource.query<Returned<{ id: string }>>('DELETE FROM sessions WHERE sid_hash = $1 RETURNING id', [hashSecret(sessionId)]).then(
      ([rows]) => {
        for (const { id } of rows) this.cache.forgetSession(id);
        callback?.();
      },
      (error: unknown) => callback?.(error),
    );
  }

  /** The live row with its user, from the database; kept in memory unless an invalidation overtook the read. */
  private async loadSession(sidHash: string): Promise<SessionData | null> {
    const load = this.cache.startLoad();
    let entry: CachedSession | undefined;
    try {
      const startedAt = Date.now();
      const rows = await this.dataSource.query<SessionRow[]>(
        `SELECT s.id, s.data, s.user_id, s.last_used_at, s.idle_expires_at, s.absolute_expires_at, now() AS read_at,
                u.username, u.email, u.roles, u.disabled, u.created_at AS user_created_at,
                u.email_verified, u.mfa_enabled
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.sid_hash = $1 AND s.idle_expires_at > now() AND s.absolute_expires_at > now()`,
        [sidHash],
      );
      const row = rows[0];
      if (row === undefined) return null;
      entry = {
        sessionId: row.id,
        // Shared by every hit on this entry: frozen, so no request can change what the next one sees.
        user: Object.freeze({
          id: row.user_id,
          username: row.username,
          email: row.email,
          roles: Object.freeze([...row.roles]),
          disabled: row.disabled,
          createdAt: row.user_created_at.toISOString(),
          emailVerified: row.email_verified,
          mfaEnabled: row.mfa_enabled,
        }),
        dataJson: JSON.stringify(row.data),
        lastUsedAtMs: row.last_used_at.getTime(),
        idleExpiresAtMs: deadline(startedAt, row.read_at, row.idle_expires_at),
        absoluteExpiresAtMs: deadline(startedAt, row.read_at, row.absolute_expires_at),
      };
      return sessionDataOf(entry);
    } finally {
      this.cache.finishLoad(load, sidHash, entry);
    }
  }

  /**
   * A session the store did not load is a new login: insert it. A loaded one is only updated, and
   * only while it is live, so a save racing a logout can never bring the row back.
   */
  private async saveSession(sessionId: string, session: SessionData): Promise<void> {
    if (typeof session.userId !== 'string') return;
    const data = JSON.stringify(
      Object.fromEntries(Object.entries(session).filter(([key]) => !(COLUMN_FIELDS as readonly string[]).includes(key))),
    );
    const idle = this.config.sessionIdleTimeoutSeconds;
    if (session.loaded !== undefined || this.inserted.has(session)) {
      const [rows] = await this.dataSource.query<Returned<{ id: string }>>(
        `UPDATE sessions
            SET data = $2, last_used_at = now(),
                idle_expires_at = LEAST(now() + make_interval(secs => $3), absolute_expires_at)
          WHERE sid_hash = $1 AND idle_expires_at > now() AND absolute_expires_at > now()
          RETURNING id`,
        [hashSecret(sessionId), data, idle],
      );
      for (const { id } of rows) this.cache.forgetSession(id);
      return;
    }
    await this.dataSource.query(
      `INSERT INTO sessions (sid_hash, user_id, data, ip, user_agent, idle_expires_at, absolute_expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), now() + make_interval(secs => $7))`,
      [
        hashSecret(sessionId),
        session.userId,
        data,
        session.ip ?? null,
        session.userAgent?.slice(0, 512) ?? null,
        idle,
        this.config.sessionAbsoluteTimeoutSeconds,
      ],
    );
    this.inserted.add(session);
  }
}

/** What express-session gets: a fresh copy each time, which it and the request's handlers may change freely. */
function sessionDataOf(entry: CachedSession): SessionData {
  const loaded = { id: entry.sessionId, lastUsedAtMs: entry.lastUsedAtMs, user: entry.user };
  return { ...(JSON.parse(entry.dataJson) as SessionData), userId: entry.user.id, loaded };
}

/**
 * An expiry read from the database as a deadline on this process's clock: the time left by the
 * database's clock, counted from before the query was sent, so it is never later than the expiry.
 */
function deadline(startedAt: number, readAt: Date, expiresAt: Date): number {
  return startedAt + (expiresAt.getTime() - readAt.getTime());
}
