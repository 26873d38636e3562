import { ApiProperty } from '@nestjs/swagger';
import type { ApiKeyEntity } from './api-key.entity';

/** A key as listed: never the key itself, never its hash. */
export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'nightly export' }) name!: string;
  @ApiProperty({ type: [String], example: ['reports:read'] }) scopes!: string[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Updated at most once a minute' }) lastUsedAt!:
    string | null;

  static of(key: ApiKeyEntity): ApiKeyView {
    return Object.assign(new ApiKeyView(), {
      id: key.id,
      name: key.name,
      scopes: [...key.scopes],
      createdAt: key.createdAt.toISOString(),
      expiresAt: key.expiresAt?.toISOString() ?? null,
      lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    });
  }
}

/** The answer to a creation: the one response that carries the key. */
export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ example: 'nab_3q2-7wE…', description: 'Shown this once; only its keyed hash is stored' }) key!: string;

  static withKey(entity: ApiKeyEntity, key: string): CreatedApiKeyView {
    const view = ApiKeyView.of(entity);
    return Object.assign(new CreatedApiKeyView(), {
      id: view.id,
      name: view.name,
      key,
      scopes: view.scopes,
      createdAt: view.createdAt,
      expiresAt: view.expiresAt,
      lastUsedAt: view.lastUsedAt,
    });
  }
}
