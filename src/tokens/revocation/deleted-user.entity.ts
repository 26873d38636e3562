import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A closed account's id and when it closed: its access tokens stay refused after the user row is
 * gone (the revocation state at start-up is read from here). Pruned after an access token's lifetime.
 */
@Entity({ name: 'deleted_users' })
export class DeletedUserEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'deleted_at', type: 'timestamptz' })
  deletedAt!: Date;
}
