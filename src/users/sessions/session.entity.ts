import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../user.entity';

/**
 * A browser login. The cookie carries the session id; this row holds only its SHA-256,
 * so a copy of the table cannot be replayed as cookies.
 */
@Entity({ name: 'sessions' })
export class SessionEntity {
  /** Public id, shown in the device list; unrelated to the cookie's session id. */
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_sessions_sid_hash', { unique: true })
  @Column({ name: 'sid_hash', type: 'char', length: 64 })
  sidHash!: string;

  @Index('ix_sessions_user_id')
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_sessions_user' })
  user?: UserEntity;

  /** express-session's data (cookie settings, CSRF token), without the fields held in columns. */
  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', default: () => 'now()' })
  lastUsedAt!: Date;

  @Column({ name: 'idle_expires_at', type: 'timestamptz' })
  idleExpiresAt!: Date;

  @Index('ix_sessions_absolute_expires_at')
  @Column({ name: 'absolute_expires_at', type: 'timestamptz' })
  absoluteExpiresAt!: Date;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;
}
