import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

export const USER_ROLE = 'user';
export const ADMIN_ROLE = 'admin';

export const USERNAME_UNIQUE = 'uq_users_username';
export const EMAIL_UNIQUE = 'uq_users_email';

@Entity({ name: 'users' })
@Unique(USERNAME_UNIQUE, ['username'])
@Unique(EMAIL_UNIQUE, ['email'])
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored lower-cased, so the unique index is case-insensitive. */
  @Column({ type: 'varchar', length: 32 })
  username!: string;

  /** Stored lower-cased, so the unique index is case-insensitive. */
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 100 })
  passwordHash!: string;

  @Column({ type: 'text', array: true, default: () => `'{${USER_ROLE}}'` })
  roles!: string[];

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** Access tokens issued before this instant are rejected (logout-all, password change, disable, role change). */
  @Column({ name: 'tokens_valid_after', type: 'timestamptz', nullable: true })
  tokensValidAfter!: Date | null;

  /** When an admin last set the roles: access tokens issued before it take their roles from memory. */
  @Column({ name: 'roles_changed_at', type: 'timestamptz', nullable: true })
  rolesChangedAt!: Date | null;

  /** The current email was proven by a link sent to it. */
  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified!: boolean;

  /** TOTP (with recovery codes) is required at login. */
  @Column({ name: 'mfa_enabled', type: 'boolean', default: false })
  mfaEnabled!: boolean;

  /** The confirmed TOTP secret, encrypted (TotpSecretCipher); never logged, never in a view. */
  @Column({ name: 'totp_secret', type: 'text', nullable: true })
  totpSecret!: string | null;

  /** A secret from setup not yet confirmed with a code, encrypted. */
  @Column({ name: 'totp_pending_secret', type: 'text', nullable: true })
  totpPendingSecret!: string | null;

  /** The last TOTP time step accepted: each code works once. */
  @Column({ name: 'totp_last_step', type: 'integer', nullable: true })
  totpLastStep!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
