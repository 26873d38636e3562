import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { Clock } from '../../common/clock/clock';
import { hashSecret, isSecretToken, newSecretToken } from '../../common/crypto/secret-token';
import { RevocationService } from '../revocation/revocation.service';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import type { RequestContext } from '../../audit/request-context';

export interface IssuedRefreshToken {
  readonly token: string;
  readonly familyId: string;
  readonly userId: string;
  /** Seconds until the family's absolute expiry. */
  readonly expiresIn: number;
}

export interface RefreshFamilyView {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly expiresAt: Date;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

type RotationOutcome =
  | { readonly kind: 'rotated'; readonly issued: IssuedRefreshToken }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'recently-rotated' }
  | { readonly kind: 'reused'; readonly familyId: string; readonly userId: string };

interface SpentRow {
  id: string;
  family_id: string;
  user_id: string;
  expires_at: Date;
}

interface TokenStateRow {
  family_id: string;
  user_id: string;
  used_at: Date | null;
  dead: boolean;
  within_grace: boolean;
}

const invalidRefreshToken = () => new DomainException(ErrorCode.INVALID_TOKEN, 'Invalid or expired refresh token');

/**
 * Refresh tokens: opaque, stored as SHA-256 only, grouped in families with an absolute expiry.
 * Each refresh spends its token with one conditional UPDATE (so of N concurrent refreshes one wins)
 * and issues the child in the same transaction. Spending a spent token is reuse: the family dies.
 */
@Injectable()
export class RefreshTokenService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly revocation: RevocationService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Starts a family (a login) with its first token; it lives `ttlSeconds` (default JWT_REFRESH_TTL), absolute. */
  startFamily(userId: string, client: RequestContext, ttlSeconds = this.config.jwtRefreshTtlSeconds): Promise<IssuedRefreshToken> {
    return this.dataSource.transaction(async (manager) => {
      const [family] = await manager.query<Array<{ id: string; expires_at: Date }>>(
        `INSERT INTO refresh_families (user_id, expires_at, last_used_at, ip, user_agent)
         VALUES ($1, now() + make_interval(secs => $2), now(), $3, $4) RETURNING id, expires_at`,
        [userId, ttlSeconds, client.ip, client.userAgent],
      );
      if (family === undefined) throw new Error('refresh family insert returned no row');
      return this.addToken(manager, { familyId: family.id, userId, parentId: null, expiresAt: family.expires_at });
    });
  }

  /** Spends `token` and returns the next one of its family; throws 401 (invalid, reused) or 409 (grace). */
  async rotate(token: string, client: RequestContext): Promise<IssuedRefreshToken> {
    if (!isSecretToken(token)) throw invalidRefreshToken();
    const outcome = await this.dataSource.transaction((manager) => this.spend(manager, hashSecret(token), client));
    switch (outcome.kind) {
      case 'rotated':
        return outcome.issued;
      case 'recently-rotated':
        throw new DomainException(ErrorCode.REFRESH_TOKEN_RECENTLY_ROTATED, 'This refresh token was rotated moments ago');
      case 'reused':
        await this.audit.record({
          type: AuditEventType.REFRESH_REUSE_DETECTED,
          userId: outcome.userId,
          context: client,
          details: { familyId: outcome.familyId },
        });
        throw new DomainException(ErrorCode.REFRESH_TOKEN_REUSED, 'Refresh token already used; this login has been revoked');
      case 'invalid':
        throw invalidRefreshToken();
    }
  }

  /** The family and user of a token, spent or not; undefined for an unknown token. */
  async findOwner(token: string): Promise<{ familyId: string; userId: string } | undefined> {
    if (!isSecretToken(token)) return undefined;
    const [row] = await this.dataSource.query<Array<{ family_id: string; user_id: string }>>(
      'SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = $1',
      [hashSecret(token)],
    );
    return row === undefined ? undefined : { familyId: row.family_id, userId: row.user_id };
  }

  /** The user's live logins (families neither revoked nor expired), most recently used first. */
  async listFamilies(userId: string): Promise<RefreshFamilyView[]> {
    const rows = await this.dataSource.query<
      Array<{ id: string; created_at: Date; last_used_at: Date; expires_at: Date; ip: string | null; user_agent: string | null }>
    >(
      `SELECT id, created_at, last_used_at, expires_at, ip, user_agent FROM refresh_families
       WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY last_used_at DESC`,
      [userId],
    );
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      expiresAt: row.expires_at,
      ip: row.ip,
      userAgent: row.user_agent,
    }));
  }

  private async spend(manager: EntityManager, tokenHash: string, client: RequestContext): Promise<RotationOutcome> {
    // The family row is locked first by every refresh of the family, so concurrent refreshes and
    // the revocation a reuse triggers queue on one lock instead of deadlocking over token rows.
    await manager.query(
      'SELECT f.id FROM refresh_families f JOIN refresh_tokens t ON t.family_id = f.id WHERE t.token_hash = $1 FOR UPDATE OF f',
      [tokenHash],
    );
    const [spent] = await manager.query<SpentRow[]>(
      `WITH spent AS (
         UPDATE refresh_tokens t SET used_at = now()
         FROM refresh_families f
         WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.revoked_at IS NULL
           AND f.id = t.family_id AND f.revoked_at IS NULL AND f.expires_at > now()
         RETURNING t.id, t.family_id, t.user_id, f.expires_at
       )
       SELECT id, family_id, user_id, expires_at FROM spent`,
      [tokenHash],
    );
    if (spent !== undefined) {
      await manager.query('UPDATE refresh_families SET last_used_at = now(), ip = $2, user_agent = $3 WHERE id = $1', [
        spent.family_id,
        client.ip,
        client.userAgent,
      ]);
      const issued = await this.addToken(manager, {
        familyId: spent.family_id,
        userId: spent.user_id,
        parentId: spent.id,
        expiresAt: spent.expires_at,
      });
      return { kind: 'rotated', issued };
    }
    return this.explainRefusal(manager, tokenHash);
  }

  /** Why the token could not be spent. Grace is measured on the wall clock, not the transaction's start. */
  private async explainRefusal(manager: EntityManager, tokenHash: string): Promise<RotationOutcome> {
    const [state] = await manager.query<TokenStateRow[]>(
      `SELECT t.family_id, t.user_id, t.used_at,
              (t.revoked_at IS NOT NULL OR f.revoked_at IS NOT NULL OR f.expires_at <= now()) AS dead,
              ($2::double precision > 0 AND t.used_at > clock_timestamp() - make_interval(secs => $2::double precision)) AS within_grace
       FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
       WHERE t.token_hash = $1`,
      [tokenHash, this.config.refreshReuseGraceSeconds],
    );
    if (state === undefined || state.dead || state.used_at === null) return { kind: 'invalid' };
    if (state.within_grace) return { kind: 'recently-rotated' };
    await this.revocation.revokeFamily(state.family_id, manager);
    return { kind: 'reused', familyId: state.family_id, userId: state.user_id };
  }

  private async addToken(
    manager: EntityManager,
    token: { familyId: string; userId: string; parentId: string | null; expiresAt: Date },
  ): Promise<IssuedRefreshToken> {
    const value = newSecretToken();
    await manager.query('INSERT INTO refresh_tokens (token_hash, family_id, parent_id, user_id) VALUES ($1, $2, $3, $4)', [
      hashSecret(value),
      token.familyId,
      token.parentId,
      token.userId,
    ]);
    // The expiry comes from the database clock; rounding hides the milliseconds the insert took.
    const remaining = Math.round((token.expiresAt.getTime() - this.clock.now()) / 1000);
    const expiresIn = Math.min(this.config.jwtRefreshTtlSeconds, Math.max(0, remaining));
    return { token: value, familyId: token.familyId, userId: token.userId, expiresIn };
  }
}
