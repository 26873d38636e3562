import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One security event. Never holds a secret: no password, token, session id or hash of one. */
@Entity({ name: 'auth_events' })
@Index('ix_auth_events_user_created', ['userId', 'createdAt'])
export class AuthEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('ix_auth_events_type')
  @Column({ type: 'varchar', length: 64 })
  type!: string;

  /**
   * The account the event is about; null for a failed login naming no account. A plain column, no
   * foreign key: the events of a deleted account stay, keyed by its former id.
   */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  /** Who acted, when not the user themself (an admin). */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  details!: Record<string, string | number | boolean | null | string[]>;

  @Index('ix_auth_events_created_at')
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
