import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../../users/user.entity';

/** One single-use recovery code, stored as its SHA-256 only. */
@Entity({ name: 'mfa_recovery_codes' })
export class MfaRecoveryCodeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('ix_mfa_recovery_codes_user_id')
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_mfa_recovery_codes_user' })
  user?: UserEntity;

  @Column({ name: 'code_hash', type: 'char', length: 64 })
  codeHash!: string;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** What a login would have answered: the flavour and, for JWT, the transport. */
export type MfaLoginFlavour = 'session' | 'jwt-body' | 'jwt-cookie';

/** A login whose password was right, waiting for its second factor (`mfaToken`, stored hashed, 5 minutes). */
@Entity({ name: 'mfa_challenges' })
export class MfaChallengeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_mfa_challenges_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  @Index('ix_mfa_challenges_user_id')
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_mfa_challenges_user' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 16 })
  flavour!: MfaLoginFlavour;

  @Column({ type: 'boolean' })
  remember!: boolean;

  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts!: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
