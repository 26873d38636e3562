import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UsersService } from '../../users/users.service';
import { UserEntity } from '../../users/user.entity';
import type { RevocableToken } from './revocation-cache';
import { REVOCATION_CHANNEL, RevocationEvent } from './revocation-event';

interface ExpiringRow {
  id: string;
  expires_at: Date;
}

/**
 * The revocations in PostgreSQL, the truth that memory mirrors. Every write also queues a NOTIFY
 * in the caller's transaction, so other instances hear of it exactly when it commits.
 */
@Injectable()
export class RevocationStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
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
    const [accessTokens, families, users, rolesChanges] = await Promise.all([
      this.dataSource.query<Array<{ jti: string; expires_at: Date }>>(
        'SELECT jti, expires_at FROM revoked_access_tokens WHERE expires_at > $1',
        [since],
      ),
      this.dataSource.query<ExpiringRow[]>('SELECT id, expires_at FROM refresh_families WHERE revoked_at IS NOT NULL AND expires_at > $1', [
        since,
      ]),
      this.users.findTokensValidAfterSince(since),
      this.users.findRolesChangedSince(since),
    ]);
    return [
      ...accessTokens.map((row): RevocationEvent => ({ kind: 'access-token', jti: row.jti, expiresAt: row.expires_at.getTime() })),
      ...families.map(familyEvent),
      ...users.map(({ userId, at }): RevocationEvent => ({ kind: 'tokens-valid-after', userId, at: at.getTime() })),
      ...rolesChanges.map(({ userId, roles, at }): RevocationEvent => ({ kind: 'roles', userId, roles, at: at.getTime() })),
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

  private async publish(manager: EntityManager, events: RevocationEvent[]): Promise<RevocationEvent[]> {
    for (const event of events) await manager.query('SELECT pg_notify($1, $2)', [REVOCATION_CHANNEL, JSON.stringify(event)]);
    return events;
  }
}

function familyEvent(row: ExpiringRow): RevocationEvent {
  return { kind: 'family', familyId: row.id, expiresAt: row.expires_at.getTime() };
}
