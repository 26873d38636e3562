import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Every revocation, written in the transaction that makes it: instances replay it from their last
 * seen id after a reconnection, and poll it while no push channel is live. Pruned once no token it
 * could stop can still verify.
 */
@Entity({ name: 'revocation_events' })
@Index('idx_revocation_events_created_at', ['createdAt'])
export class RevocationEventLogEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_revocation_events' })
  id!: string;

  /** A {@link RevocationEvent}, as revocation-event.ts defines it. */
  @Column({ type: 'jsonb' })
  event!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
