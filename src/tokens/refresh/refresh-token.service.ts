import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { retryOnConflict } from '../../common/errors/database-errors';
import { AppConfig } from '../../config/app-config';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { Clock } from '../../common/clock/clock';
import { hashSecret, isSecretToken, newSecretToken } from '../../common/crypto/secret-token';
import { RevocationService } from '../revocation/revocation.service';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import { PreparedStatement, PreparedStatements } from '../../database/prepared-statements';
import type { RequestContext } from '../../audit/request-context';

export interface IssuedRefreshToken {
  readonly token: string;
  readonly familyId: string;
  readonly userId: string;
  /** Seconds until the family's absolute expiry. */
  readonly expiresIn: number;
}

/** A rotation's successor, with the user as the same transaction read it. */
export interface RotatedRefreshToken extends IssuedRefreshToken {
  readonly roles: readonly string[];
  readonly userDisabled: boolean;
}

/** How long a refresh that sent an `Idempotency-Key` can be retried with the same key and token (API.md). */
export const REFRESH_RETRY_WINDOW_SECONDS = 60;

export interface RefreshFamilyView {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly expiresAt: Date;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

type RotationOutcome =
  | { readonly kind: 'rotated'; readonly issued: RotatedRefreshToken }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'recently-rotated' }
  | { readonly kind: 'reused'; readonly familyId: string; readonly userId: string };

interface SpentRow {
  id: string;
  family_id: string;
  user_id: string;
  expires_at: Date;
  roles: string[];
  disabled: boolean;
}

interface TokenStateRow extends SpentRow {
  used_at: Date | null;
  dead: boolean;
  within_grace: boolean;
  retry_key_matches: boolean;
}

/**
 * The happy path of a rotation in one statement, so one round trip and no explicit transaction: lock
 * the family, spend the token, touch the family, insert the successor. No row: nothing changed, and
 * the token was unknown, spent, revoked or expired. The family row is locked first, as every refresh
 * and every revocation of the family does, so they queue on one lock instead of deadlocking over
 * token rows; the family's state is read from the locked row, which is current even when the lock
 * was waited for. Parameters: token hash, idempotency key hash, successor hash, ip, user agent.
 */
const SPEND_AND_ISSUE_SUCCESSOR: PreparedStatement = {
  name: 'refresh-spend-and-issue-successor',
  text: `WITH family AS (
           SELECT f.id, f.expires_at FROM refresh_families f JOIN refresh_tokens t ON t.family_id = f.id
           WHERE t.token_hash = $1 AND f.revoked_at IS NULL AND f.expires_at > now()
           FOR UPDATE OF f
         ), spent AS (
           UPDATE refresh_tokens t SET used_at = now(), idempotency_key_hash = $2
           FROM family f, users u
           WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.revoked_at IS NULL AND t.family_id = f.id AND u.id = t.user_id
           RETURNING t.id, t.family_id, t.user_id, f.expires_at, u.roles, u.disabled
         ), touched AS (
           UPDATE refresh_families SET last_used_at = now(), ip = $4, user_agent = $5 WHERE id = (SELECT family_id FROM spent)
         ), child AS (
           INSERT INTO refresh_tokens (token_hash, family_id, parent_id, user_id) SELECT $3, family_id, id, user_id FROM spent
         )
         SELECT id, family_id, user_id, expires_at, roles, disabled FROM spent`,
};

const invalidRefreshToken = () => new DomainException(ErrorCode.INVALID_TOKEN, 'Invalid or expired refresh token');

/**
 * Refresh tokens: opaque, stored as SHA-256 only, grouped in families with an absolute expiry.
 * Each refresh spends its token with one conditional UPDATE (so of N concurrent refreshes one wins)
 * and issues the child in the same statement. Spending a spent token is reuse: the family dies.
 */
@Injectable()
export class RefreshTokenService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly revocation: RevocationService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly statements: PreparedStatements,
  ) {
    // One key per JWT_SECRET entry: the first derives successors, every one is tried on a retry.
    this.retryKeys = config.jwtSecrets.map((secret) => createHmac('sha256', secret).update('refresh-retry-successor').digest());
  }

  private readonly retryKeys: readonly Buffer[];

  /** Starts a family (a login) with its first token; it lives `ttlSeconds` (default JWT_REFRESH_TTL), absolute. */
  startFamily(userId: string, client: RequestContext, ttlSeconds = this.config.jwtRefreshTtlSeconds): Promise<IssuedRefreshToken> {
    return this.dataSource.transaction(async (manager) => {
      const [family] = await manager.query<Array<{ id: string; expires_at: Date }>>(
        `INSERT INTO refresh_families (user_id, expires_at, last_used_at, ip, user_agent)
         VALUES ($1, now() + make_interval(secs => $2), now(), $3, $4) RETURNING id, expires_at`,
        [userId, ttlSeconds, client.ip, client.userAgent],
      );
      if (family === undefined) throw new Error('refresh family insert returned no row');
      return this.addFirstToken(manager, { familyId: family.id, userId, expiresAt: family.expires_at });
    });
  }

  /**
   * Spends `token` and returns the next one of its family; throws 401 (invalid, reused) or 409 (grace).
   * With an `idempotencyKey`, the successor is derived from the token and the key (HMAC), so that a
   * retry with both, within {@link REFRESH_RETRY_WINDOW_SECONDS} of the spend, gets it again while
   * it is unspent; only the key's hash is stored. A deadlock or serialisation failure reruns the
   * statement or transaction (nothing leaves it before it commits).
   */
  async rotate(token: string, client: RequestContext, idempotencyKey?: string): Promise<RotatedRefreshToken> {
    if (!isSecretToken(token)) throw invalidRefreshToken();
    const successor = idempotencyKey === undefined ? newSecretToken() : this.successorOf(token, idempotencyKey, this.retryKeys[0]);
    const spent = await retryOnConflict(() => this.spend(token, successor, client, idempotencyKey));
    if (spent !== undefined) {
      return withUser(this.issued(successor, { familyId: spent.family_id, userId: spent.user_id, expiresAt: spent.expires_at }), spent);
    }
    const outcome = await retryOnConflict(() =>
      this.dataSource.transaction((manager) => this.explainRefusal(manager, token, idempotencyKey)),
    );
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

  /** {@link SPEND_AND_ISSUE_SUCCESSOR}: the spent token's row, or undefined when nothing was spent. */
  private async spend(token: string, successor: string, client: RequestContext, idempotencyKey?: string): Promise<SpentRow | undefined> {
    const [spent] = await this.statements.query<SpentRow>(SPEND_AND_ISSUE_SUCCESSOR, [
      hashSecret(token),
      idempotencyKey === undefined ? null : hashSecret(idempotencyKey),
      hashSecret(successor),
      client.ip,
      client.userAgent,
    ]);
    return spent;
  }

  /**
   * Why the token could not be spent, unless this is the retry of a refresh that spent it with the
   * same key. Windows are measured on the wall clock, not the transaction's start.
   */
  private async explainRefusal(manager: EntityManager, token: string, idempotencyKey?: string): Promise<RotationOutcome> {
    const keyHash = idempotencyKey === undefined ? null : hashSecret(idempotencyKey);
    await manager.query(
      'SELECT f.id FROM refresh_families f JOIN refresh_tokens t ON t.family_id = f.id WHERE t.token_hash = $1 FOR UPDATE OF f',
      [hashSecret(token)],
    );
    const [state] = await manager.query<TokenStateRow[]>(
      `SELECT t.id, t.family_id, t.user_id, t.used_at, f.expires_at, u.roles, u.disabled,
              (t.revoked_at IS NOT NULL OR f.revoked_at IS NOT NULL OR f.expires_at <= now()) AS dead,
              ($2::double precision > 0 AND t.used_at > clock_timestamp() - make_interval(secs => $2::double precision)) AS within_grace,
              ($3::varchar IS NOT NULL AND t.idempotency_key_hash = $3
                AND t.used_at > clock_timestamp() - make_interval(secs => $4::double precision)) AS retry_key_matches
       FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = $1`,
      [hashSecret(token), this.config.refreshReuseGraceSeconds, keyHash, REFRESH_RETRY_WINDOW_SECONDS],
    );
    if (state === undefined || state.dead || state.used_at === null) return { kind: 'invalid' };
    if (state.retry_key_matches && idempotencyKey !== undefined) {
      const retried = await this.findRetriedSuccessor(manager, token, state, idempotencyKey);
      if (retried !== undefined) return { kind: 'rotated', issued: retried };
    }
    if (state.within_grace) return { kind: 'recently-rotated' };
    await this.revocation.revokeFamily(state.family_id, manager);
    return { kind: 'reused', familyId: state.family_id, userId: state.user_id };
  }

  /**
   * The successor a refresh with this key issued, recomputed (under any configured JWT_SECRET), while
   * it is still unspent: once the client spent it, it had the answer, and the retry is reuse.
   */
  private async findRetriedSuccessor(
    manager: EntityManager,
    token: string,
    parent: TokenStateRow,
    key: string,
  ): Promise<RotatedRefreshToken | undefined> {
    const candidates = this.retryKeys.map((retryKey) => this.successorOf(token, key, retryKey));
    const [child] = await manager.query<Array<{ token_hash: string }>>(
      `SELECT token_hash FROM refresh_tokens
        WHERE parent_id = $1 AND token_hash = ANY($2::varchar[]) AND used_at IS NULL AND revoked_at IS NULL`,
      [parent.id, candidates.map(hashSecret)],
    );
    const value = child === undefined ? undefined : candidates.find((candidate) => hashSecret(candidate) === child.token_hash);
    if (value === undefined) return undefined;
    return withUser(this.issued(value, { familyId: parent.family_id, userId: parent.user_id, expiresAt: parent.expires_at }), parent);
  }

  private successorOf(token: string, idempotencyKey: string, retryKey: Buffer | undefined): string {
    if (retryKey === undefined) throw new Error('no JWT_SECRET to derive refresh successors from');
    return createHmac('sha256', retryKey).update(`${token}\n${idempotencyKey}`).digest('base64url');
  }

  private async addFirstToken(
    manager: EntityManager,
    token: { familyId: string; userId: string; expiresAt: Date },
  ): Promise<IssuedRefreshToken> {
    const value = newSecretToken();
    await manager.query('INSERT INTO refresh_tokens (token_hash, family_id, user_id) VALUES ($1, $2, $3)', [
      hashSecret(value),
      token.familyId,
      token.userId,
    ]);
    return this.issued(value, token);
  }

  private issued(value: string, token: { familyId: string; userId: string; expiresAt: Date }): IssuedRefreshToken {
    // The expiry comes from the database clock; rounding hides the milliseconds the insert took.
    const remaining = Math.round((token.expiresAt.getTime() - this.clock.now()) / 1000);
    const expiresIn = Math.min(this.config.jwtRefreshTtlSeconds, Math.max(0, remaining));
    return { token: value, familyId: token.familyId, userId: token.userId, expiresIn };
  }
}

function withUser(issued: IssuedRefreshToken, user: { roles: string[]; disabled: boolean }): RotatedRefreshToken {
  return { ...issued, roles: user.roles, userDisabled: user.disabled };
}
