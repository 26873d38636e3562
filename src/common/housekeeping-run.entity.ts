import { Column, Entity, PrimaryColumn } from 'typeorm';

/** When each housekeeping job last ran on the cluster, so one instance per period does it. */
@Entity({ name: 'housekeeping_runs' })
export class HousekeepingRunEntity {
  @PrimaryColumn({ type: 'varchar', length: 100, primaryKeyConstraintName: 'PK_housekeeping_runs' })
  name!: string;

  @Column({ name: 'ran_at', type: 'timestamptz' })
  ranAt!: Date;
}
