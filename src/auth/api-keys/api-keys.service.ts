import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import type { RequestContext } from '../../audit/request-context';
import { Clock } from '../../common/clock/clock';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { RevocationService } from '../../tokens/revocation/revocation.service';
import { UsersService } from '../../users/users.service';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyRegistry, LiveApiKey } from './api-key-registry';
import { ApiKeySecret, looksLikeApiKey } from './api-key-secret';
import type { CreateApiKeyDto } from './api-key.dto';
import { ApiKeyView, CreatedApiKeyView } from './api-key.view';

const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;
const NO_SUCH_KEY = 'No such API key';

/**
 * Creates, lists and revokes API keys, and tells a presented key's owner and scopes. Every change
 * NOTIFYs in its transaction, so every instance's {@link ApiKeyRegistry} reloads that user's keys.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly dataSource: DataSource,
    private readonly registry: ApiKeyRegistry,
    private readonly secret: ApiKeySecret,
    private readonly revocation: RevocationService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(userId: string, body: CreateApiKeyDto, context: RequestContext): Promise<CreatedApiKeyView> {
    const key = this.secret.generate();
    const expiresAt = body.expiresInDays === undefined ? null : new Date(this.clock.now() + body.expiresInDays * DAY_MS);
    const entity = await this.dataSource.transaction(async (manager) => {
      const saved = await manager.save(
        manager.create(ApiKeyEntity, {
          userId,
          keyHash: this.secret.hash(key),
          name: body.name,
          scopes: body.scopes ?? [],
          expiresAt,
          lastUsedAt: null,
        }),
      );
      await this.revocation.apiKeysChanged(userId, manager);
      return saved;
    });
    await this.registry.refresh(userId);
    await this.audit.record({
      type: AuditEventType.API_KEY_CREATED,
      userId,
      actorId: userId,
      context,
      details: { apiKeyId: entity.id, name: entity.name, scopes: entity.scopes },
    });
    return CreatedApiKeyView.withKey(entity, key);
  }

  async list(userId: string): Promise<ApiKeyView[]> {
    const keys = await this.keys.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return keys.map((key) => ApiKeyView.of(key));
  }

  /** Another user's key is 404, as a missing one is. */
  revokeOwn(userId: string, keyId: string, context: RequestContext): Promise<void> {
    return this.revoke({ id: keyId, userId }, userId, context);
  }

  /** An admin's view of any user's keys; 404 for an unknown user. */
  async listOfUser(userId: string): Promise<ApiKeyView[]> {
    if ((await this.users.findById(userId)) === null) throw new DomainException(ErrorCode.NOT_FOUND, 'No such user');
    return this.list(userId);
  }

  revokeAny(keyId: string, adminId: string, context: RequestContext): Promise<void> {
    return this.revoke({ id: keyId }, adminId, context);
  }

  /** Tell every instance to reload the user's keys (after a disable or an enable). */
  async userStatusChanged(userId: string): Promise<void> {
    await this.revocation.apiKeysChanged(userId);
    await this.registry.refresh(userId);
  }

  /**
   * The live key behind a presented string, or undefined: wrong shape, unknown, revoked, expired,
   * or its user disabled or deleted. Memory only while the revocation channel is live. `use: false`
   * (introspection) looks without counting as a use of the key.
   */
  async authenticate(presented: string, options: { readonly use: boolean } = { use: true }): Promise<LiveApiKey | undefined> {
    if (!looksLikeApiKey(presented)) return undefined;
    const hash = this.secret.hash(presented);
    const key = this.revocation.isLive ? this.registry.find(hash) : await this.registry.findInDatabase(hash);
    const now = this.clock.now();
    if (key === undefined || (key.expiresAt !== null && key.expiresAt.getTime() <= now)) return undefined;
    if (options.use && now - key.lastUsedAt >= LAST_USED_WRITE_INTERVAL_MS) this.touch(key, now);
    return key;
  }

  private async revoke(where: { id: string; userId?: string }, actorId: string, context: RequestContext): Promise<void> {
    const revoked = await this.dataSource.transaction(async (manager) => {
      const key = await manager.findOne(ApiKeyEntity, { where, lock: { mode: 'pessimistic_write' } });
      if (key === null) return null;
      await manager.delete(ApiKeyEntity, { id: key.id });
      await this.revocation.apiKeysChanged(key.userId, manager);
      return key;
    });
    if (revoked === null) throw new DomainException(ErrorCode.NOT_FOUND, NO_SUCH_KEY);
    this.registry.forgetKey(revoked.keyHash);
    await this.registry.refresh(revoked.userId);
    await this.audit.record({
      type: AuditEventType.API_KEY_REVOKED,
      userId: revoked.userId,
      actorId,
      context,
      details: { apiKeyId: revoked.id, name: revoked.name },
    });
  }

  /** At most one write a minute per key and instance; the WHERE keeps instances from writing it more often between them. */
  private touch(key: LiveApiKey, now: number): void {
    key.lastUsedAt = now;
    this.dataSource
      .query(
        `UPDATE api_keys SET last_used_at = $2::timestamptz WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
        [key.id, new Date(now)],
      )
      .catch((error: unknown) =>
        this.logger.warn(`Could not record the use of API key ${key.id}: ${error instanceof Error ? error.message : 'error'}`),
      );
  }
}
