import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { UserEntity } from '../../users/user.entity';
import { RefreshFamilyEntity } from './refresh-family.entity';

export const TOKEN_HASH_UNIQUE = 'uq_refresh_tokens_token_hash';

/** A refresh token, stored only as the SHA-256 of the opaque value the client holds. */
@Entity({ name: 'refresh_tokens' })
@Unique(TOKEN_HASH_UNIQUE, ['tokenHash'])
@Index('idx_refresh_tokens_family_id', ['familyId'])
@Index('idx_refresh_tokens_user_id', ['userId'])
export class RefreshTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Hex SHA-256 of the token. */
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'family_id', type: 'uuid' })
  familyId!: string;

  @ManyToOne(() => RefreshFamilyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'family_id', foreignKeyConstraintName: 'fk_refresh_tokens_family' })
  family?: RefreshFamilyEntity;

  /** The token this one replaced; null for the first token of a family. */
  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_refresh_tokens_user' })
  user?: UserEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Set when the token is spent by a rotation; spending it again is reuse. */
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /**
   * Hex SHA-256 of the `Idempotency-Key` of the refresh that spent this token, if it sent one: a
   * retry with that key (within 60 s of `usedAt`) gets the same successor, which is recomputed
   * from the token and the key, never stored.
   */
  @Column({ name: 'idempotency_key_hash', type: 'varchar', length: 64, nullable: true })
  idempotencyKeyHash!: string | null;
}
