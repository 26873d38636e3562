import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Login attempts per account name (known or not), shared by every instance. Keyed by a SHA-256 of
 * the lower-cased name, so names typed at the login form (sometimes passwords) are not kept in clear.
 */
@Entity({ name: 'login_failures' })
export class LoginFailureEntity {
  @PrimaryColumn({ name: 'account_key', type: 'char', length: 64 })
  accountKey!: string;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt!: Date;

  /** Attempts in the current THROTTLE_TTL window; a success deletes the row. */
  @Column({ name: 'window_attempts', type: 'integer' })
  windowAttempts!: number;

  /** Failures since the last success, whatever the window (NIST SP 800-63B caps them at 100). */
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Column({ name: 'last_failure_at', type: 'timestamptz', nullable: true })
  lastFailureAt!: Date | null;
}
