import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UsersService } from '../../users/users.service';
import { UserEntity } from '../../users/user.entity';
import type { RevocableToken } from './revocation-cache';
import { parseRevocationEvent, REVOCATION_CHANNEL, RevocationEvent } from './revocation-event';
import type { LoggedRevocationEvent } from './revocation-log';
import { RevocationRelay } from './revocation-relay';

interface ExpiringRow {
  id: string;
  expires_at: Date;
}

/** How many log rows one read returns at most; a longer backlog takes several reads. */
export const LOG_PAGE = 5_000;

/**
 * The revocations in PostgreSQL, the truth that memory mirrors. Every write also appends to the
 * event log (`revocation_events`) and queues a NOTIFY in the caller's transaction, so other
 * instances hear of it exactly when it commits, or read it from the log when they missed it.
 */
@Injectable()
export class RevocationStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly relay: RevocationRelay,
  ) {}

  async revokeAccessToken(manager: EntityManager, jti: string, userId: string, expiresAt: Date): Promise<RevocationEvent[]> {
    await manager.query('INSERT INTO revoked_access_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING', [
      jti,
      userId,
      expiresAt,
    ]);
    return this.publish(manager, [{ kind: 'access-token', jti, expiresAt: expiresAt.getTime() }]);
  }

  /** Revokes the family and its refresh tokens; its access tokens stop through the family. */
  async revokeFamily(manager: EntityManager, familyId: string): Promise<RevocationEvent[]> {
    const families = await manager.query<ExpiringRow[]>(
      `WITH revoked AS (
         UPDATE refresh_families SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id, expires_at
       ), tokens AS (
         UPDATE refresh_tokens SET revoked_at = now() WHERE family_id IN (SELECT id FROM revoked) AND revoked_at IS NULL
       )
       SELECT id, expires_at FROM revoked`,
      [familyId],
    );
    return this.publish(manager, families.map(familyEvent));
  }

  /** Revokes every live family of the user, except `exceptFamilyId` when given. */
  async revokeAllFamiliesOfUser(manager: EntityManager, userId: string, exceptFamilyId?: string): Promise<RevocationEvent[]> {
    const families = await manager.query<ExpiringRow[]>(
      `WITH revoked AS (
         UPDATE refresh_families SET revoked_at = now()
          WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)
          RETURNING id, expires_at
       ), tokens AS (
         UPDATE refresh_tokens SET revoked_at = now() WHERE family_id IN (SELECT id FROM revoked) AND revoked_at IS NULL
       )
       SELECT id, expires_at FROM revoked`,
      [userId, exceptFamilyId ?? null],
    );
    return this.publish(manager, families.map(familyEvent));
  }

  async setTokensValidAfter(manager: EntityManager, userId: string, at: Date): Promise<RevocationEvent[]> {
    await this.users.setTokensValidAfter(userId, at, manager);
    return this.publish(manager, [{ kind: 'tokens-valid-after', userId, at: at.getTime() }]);
  }

  /**
   * Before a user row is deleted: every access token of the user stops (tokens-valid-after), and the
   * instant is kept in `deleted_users`, so it outlives the row for instances that load their state later.
   */
  async recordUserDeleted(manager: EntityManager, userId: string, at: Date): Promise<RevocationEvent[]> {
    await manager.query(
      'INSERT INTO deleted_users (user_id, deleted_at) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at',
      [userId, at],
    );
    return this.publish(manager, [{ kind: 'tokens-valid-after', userId, at: at.getTime() }]);
  }

  /** Sets the user's roles and tells every instance, so tokens issued before take the new roles. */
  async changeRoles(manager: EntityManager, userId: string, roles: readonly string[]): Promise<[UserEntity | null, RevocationEvent[]]> {
    const user = await this.users.setRoles(userId, roles, manager);
    if (user === null || user.rolesChangedAt === null) return [null, []];
    return [user, await this.publish(manager, [{ kind: 'roles', userId, roles: user.roles, at: user.rolesChangedAt.getTime() }])];
  }

  /** Tells every instance that the user's API keys changed, when the caller's transaction commits. */
  apiKeysChanged(manager: EntityManager, userId: string, at: Date): Promise<RevocationEvent[]> {
    return this.publish(manager, [{ kind: 'api-keys', userId, at: at.getTime() }]);
  }

  /** Every revocation that can still stop a token, for memory at start-up and after a reconnection. */
  async snapshot(since: Date): Promise<RevocationEvent[]> {
    const [accessTokens, families, users, rolesChanges, deletedUsers] = await Promise.all([
      this.dataSource.query<Array<{ jti: string; expires_at: Date }>>(
        'SELECT jti, expires_at FROM revoked_access_tokens WHERE expires_at > $1',
        [since],
      ),
      this.dataSource.query<ExpiringRow[]>('SELECT id, expires_at FROM refresh_families WHERE revoked_at IS NOT NULL AND expires_at > $1', [
        since,
      ]),
      this.users.findTokensValidAfterSince(since),
      this.users.findRolesChangedSince(since),
      this.dataSource.query<Array<{ user_id: string; deleted_at: Date }>>(
        'SELECT user_id, deleted_at FROM deleted_users WHERE deleted_at > $1',
        [since],
      ),
    ]);
    return [
      ...accessTokens.map((row): RevocationEvent => ({ kind: 'access-token', jti: row.jti, expiresAt: row.expires_at.getTime() })),
      ...families.map(familyEvent),
      ...users.map(({ userId, at }): RevocationEvent => ({ kind: 'tokens-valid-after', userId, at: at.getTime() })),
      ...rolesChanges.map(({ userId, roles, at }): RevocationEvent => ({ kind: 'roles', userId, roles, at: at.getTime() })),
      ...deletedUsers.map((row): RevocationEvent => ({ kind: 'tokens-valid-after', userId: row.user_id, at: row.deleted_at.getTime() })),
    ];
  }

  /**
   * The revocation check against the database, for when memory may be stale (the listener is down).
   * An unknown family counts as revoked: it was deleted, or never existed.
   */
  async isRevoked(token: RevocableToken): Promise<boolean> {
    const [[row], user] = await Promise.all([
      this.dataSource.query<Array<{ access_token_revoked: boolean; family_live: boolean }>>(
        `SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = $1) AS access_token_revoked,
                EXISTS (SELECT 1 FROM refresh_families WHERE id = $2 AND revoked_at IS NULL) AS family_live`,
        [token.jti, token.sid],
      ),
      this.users.findById(token.sub),
    ]);
    if (row === undefined || row.access_token_revoked || !row.family_live || user === null) return true;
    const at = user.tokensValidAfter;
    return at !== null && token.iat <= Math.floor(at.getTime() / 1000);
  }

  /** The holder's current roles from the database, for when memory may be stale. */
  async rolesOf(token: RevocableToken): Promise<readonly string[]> {
    const user = await this.users.findById(token.sub);
    return user?.roles ?? [];
  }

  /** The newest id of the event log (0 when empty). */
  async latestEventId(): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ id: string }>>('SELECT COALESCE(max(id), 0) AS id FROM revocation_events');
    return Number(row?.id ?? 0);
  }

  /** Logged events after `afterId`, and those among `missing` (ids skipped by a transaction not yet committed), in id order. */
  async eventsAfter(afterId: number, missing: readonly number[]): Promise<LoggedRevocationEvent[]> {
    const rows = await this.dataSource.query<Array<{ id: string; event: unknown }>>(
      'SELECT id, event FROM revocation_events WHERE id > $1 OR id = ANY($2::bigint[]) ORDER BY id LIMIT $3',
      [afterId, missing, LOG_PAGE],
    );
    const events: LoggedRevocationEvent[] = [];
    for (const row of rows) {
      const event = parseRevocationEvent(JSON.stringify(row.event));
      if (event !== undefined) events.push({ id: Number(row.id), event });
    }
    return events;
  }

  /** Logs each event and NOTIFYs it with its log id, in the caller's transaction (one statement each). */
  private async publish(manager: EntityManager, events: RevocationEvent[]): Promise<RevocationEvent[]> {
    const logged: LoggedRevocationEvent[] = [];
    for (const event of events) {
      const [row] = await manager.query<Array<{ id: string }>>(
        `WITH logged AS (INSERT INTO revocation_events (event) VALUES ($2::jsonb) RETURNING id)
         SELECT id, pg_notify($1, (jsonb_build_object('id', id) || $2::jsonb)::text) FROM logged`,
        [REVOCATION_CHANNEL, JSON.stringify(event)],
      );
      if (row !== undefined) logged.push({ id: Number(row.id), event });
    }
    this.relay.published(logged);
    return events;
  }
}

function familyEvent(row: ExpiringRow): RevocationEvent {
  return { kind: 'family', familyId: row.id, expiresAt: row.expires_at.getTime() };
}
