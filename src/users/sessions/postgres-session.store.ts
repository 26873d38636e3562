import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SessionData, Store } from 'express-session';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { LoadedSession } from './session-data';
import { hashSecret } from '../../common/crypto/secret-token';

// Written by hand: the maintained stores (connect-pg-simple, connect-typeorm) key rows by the raw
// session id and have no user, idle or absolute-expiry columns, which this service requires.

const MAX_TOUCH_INTERVAL_MS = 60_000;
const COLUMN_FIELDS = ['userId', 'ip', 'userAgent', 'loaded'] as const;

interface SessionRow {
  id: string;
  data: Record<string, unknown>;
  user_id: string;
  last_used_at: Date;
  username: string;
  email: string;
  roles: string[];
  disabled: boolean;
  user_created_at: Date;
  email_verified: boolean;
  mfa_enabled: boolean;
}

type Callback<T = void> = (error?: unknown, value?: T) => void;

/**
 * express-session store over the `sessions` table. A session counts only while both its idle and
 * absolute expiry lie ahead: an expired row is treated as absent. Loading joins the user, so the
 * guard gets fresh roles and the disabled flag in the one query a session request costs.
 */
@Injectable()
export class PostgresSessionStore extends Store {
  private readonly touchIntervalMs: number;
  /** Sessions this process inserted: express-session saves a regenerated session twice. */
  private readonly inserted = new WeakSet<SessionData>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    super();
    // Last-used is written at most once per interval: the load is on every request's path.
    this.touchIntervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, (config.sessionIdleTimeoutSeconds * 1000) / 10);
  }

  override get(sessionId: string, callback: Callback<SessionData | null>): void {
    this.loadSession(sessionId).then(
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
    if (Date.now() - lastUsedAtMs < this.touchIntervalMs) {
      callback?.();
      return;
    }
    this.dataSource
      .query(
        `UPDATE sessions
            SET last_used_at = now(),
                idle_expires_at = LEAST(now() + make_interval(secs => $2), absolute_expires_at)
          WHERE sid_hash = $1 AND idle_expires_at > now() AND absolute_expires_at > now()`,
        [hashSecret(sessionId), this.config.sessionIdleTimeoutSeconds],
      )
      .then(
        () => callback?.(),
        () => callback?.(),
      );
  }

  override destroy(sessionId: string, callback?: Callback): void {
    this.dataSource.query('DELETE FROM sessions WHERE sid_hash = $1', [hashSecret(sessionId)]).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  private async loadSession(sessionId: string): Promise<SessionData | null> {
    const rows = await this.dataSource.query<SessionRow[]>(
      `SELECT s.id, s.data, s.user_id, s.last_used_at,
              u.username, u.email, u.roles, u.disabled, u.created_at AS user_created_at,
              u.email_verified, u.mfa_enabled
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.sid_hash = $1 AND s.idle_expires_at > now() AND s.absolute_expires_at > now()`,
      [hashSecret(sessionId)],
    );
    const row = rows[0];
    if (row === undefined) return null;
    const loaded: LoadedSession = {
      id: row.id,
      lastUsedAtMs: row.last_used_at.getTime(),
      user: {
        id: row.user_id,
        username: row.username,
        email: row.email,
        roles: row.roles,
        disabled: row.disabled,
        createdAt: row.user_created_at.toISOString(),
        emailVerified: row.email_verified,
        mfaEnabled: row.mfa_enabled,
      },
    };
    return { ...(row.data as unknown as SessionData), userId: row.user_id, loaded };
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
      await this.dataSource.query(
        `UPDATE sessions
            SET data = $2, last_used_at = now(),
                idle_expires_at = LEAST(now() + make_interval(secs => $3), absolute_expires_at)
          WHERE sid_hash = $1 AND idle_expires_at > now() AND absolute_expires_at > now()`,
        [hashSecret(sessionId), data, idle],
      );
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
