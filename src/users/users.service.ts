import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, MoreThan, Repository } from 'typeorm';
import { PG_UNIQUE_VIOLATION, pgConstraint, pgErrorCode } from '../common/errors/database-errors';
import { DomainException } from '../common/errors/domain.exception';
import { ErrorCode } from '../common/errors/error-code';
import { EMAIL_UNIQUE, USER_ROLE, UserEntity } from './user.entity';
import { PasswordHasher } from './passwords/password-hasher.service';
import { PasswordPolicy } from './passwords/password-policy.service';
import { SessionCache } from './sessions/session-cache';

export type CredentialCheck =
  | { readonly ok: true; readonly user: UserEntity }
  | { readonly ok: false; readonly reason: 'unknown_user' | 'wrong_password' | 'disabled'; readonly userId: string | null };

export interface NewUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly roles?: readonly string[];
}

/**
 * Users: creation, look-up and credential checks. A write to what a session's principal carries
 * drops the user's sessions from this instance's memory as soon as it returns (other instances
 * hear of it from the database triggers' event at commit; so does this one, again, for writes made
 * inside a caller's transaction).
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly sessionCache: SessionCache,
  ) {}

  /** Concurrent creations of one name are settled by the unique index: one wins, the rest get 409. */
  async create(input: NewUser): Promise<UserEntity> {
    const username = input.username.toLowerCase();
    const email = input.email.toLowerCase();
    this.policy.assertAcceptable(input.password, { username, email });
    const passwordHash = await this.hasher.hash(input.password);
    try {
      return await this.users.save(this.users.create({ username, email, passwordHash, roles: [...(input.roles ?? [USER_ROLE])] }));
    } catch (error) {
      if (pgErrorCode(error) !== PG_UNIQUE_VIOLATION) throw error;
      throw pgConstraint(error) === EMAIL_UNIQUE
        ? new DomainException(ErrorCode.EMAIL_TAKEN, 'That email is already registered')
        : new DomainException(ErrorCode.USERNAME_TAKEN, 'That username is taken');
    }
  }

  /** Checks the policy for this user and hashes; nothing is stored yet. */
  async hashNewPassword(user: UserEntity, password: string): Promise<string> {
    this.policy.assertAcceptable(password, { username: user.username, email: user.email });
    return this.hasher.hash(password);
  }

  async storePasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.users.update({ id: userId }, { passwordHash });
    this.sessionCache.forgetUser(userId);
  }

  /** Marks `email` verified, if it is still the user's address; false otherwise. */
  async markEmailVerified(userId: string, email: string, manager: EntityManager = this.users.manager): Promise<boolean> {
    const result = await manager.update(UserEntity, { id: userId, email: email.toLowerCase() }, { emailVerified: true });
    this.sessionCache.forgetUser(userId);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Sets a new, verified address. The unique index settles a race with a registration or another
   * change of that address: 409 EMAIL_TAKEN, never a 500. False when there is no such user.
   */
  async changeEmail(userId: string, email: string, manager: EntityManager = this.users.manager): Promise<boolean> {
    try {
      const result = await manager.update(UserEntity, { id: userId }, { email: email.toLowerCase(), emailVerified: true });
      this.sessionCache.forgetUser(userId);
      return (result.affected ?? 0) > 0;
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) throw new DomainException(ErrorCode.EMAIL_TAKEN, 'That email is already registered');
      throw error;
    }
  }

  /** Deletes the user's row (its sessions, families, tokens and codes go with it); false when there was none. */
  async deleteRow(userId: string, manager: EntityManager = this.users.manager): Promise<boolean> {
    const deleted = ((await manager.delete(UserEntity, { id: userId })).affected ?? 0) > 0;
    this.sessionCache.forgetUser(userId);
    return deleted;
  }

  /** Stores a TOTP secret awaiting confirmation (already encrypted). */
  async setPendingTotpSecret(userId: string, encrypted: string): Promise<void> {
    await this.users.update({ id: userId }, { totpPendingSecret: encrypted });
  }

  /**
   * Turns MFA on with the pending secret, if it is still the one checked (a second setup meanwhile
   * wins), and records the step just used, so that code cannot be replayed.
   */
  async enableTotp(userId: string, pendingSecret: string, step: number): Promise<boolean> {
    const result = await this.users.update(
      { id: userId, totpPendingSecret: pendingSecret, mfaEnabled: false },
      { totpSecret: pendingSecret, totpPendingSecret: null, mfaEnabled: true, totpLastStep: step },
    );
    this.sessionCache.forgetUser(userId);
    return (result.affected ?? 0) > 0;
  }

  /** MFA off, secrets gone. False when there is no such user. */
  async disableMfa(userId: string): Promise<boolean> {
    const result = await this.users.update(
      { id: userId },
      { mfaEnabled: false, totpSecret: null, totpPendingSecret: null, totpLastStep: null },
    );
    this.sessionCache.forgetUser(userId);
    return (result.affected ?? 0) > 0;
  }

  /**
   * A page, by id, of the users whose TOTP secret is not under the given key id (the second field
   * of the ciphertext), for re-encryption under it.
   */
  async totpSecretsNotUnder(keyId: string, afterId: string | undefined, limit: number): Promise<{ id: string; totpSecret: string }[]> {
    return this.users.query<{ id: string; totpSecret: string }[]>(
      `SELECT id, totp_secret AS "totpSecret" FROM users
        WHERE totp_secret IS NOT NULL AND split_part(totp_secret, '.', 2) <> $1 AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [keyId, afterId ?? null, limit],
    );
  }

  /** Replaces the stored TOTP secret only if it is still the one read (a new setup or a disable meanwhile wins). */
  async replaceTotpSecret(userId: string, from: string, to: string): Promise<boolean> {
    const result = await this.users.update({ id: userId, totpSecret: from }, { totpSecret: to });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Spends a TOTP time step in one conditional UPDATE: true only for a step later than the last one
   * accepted, so a code works once, even under concurrent attempts.
   */
  async spendTotpStep(userId: string, step: number): Promise<boolean> {
    const rows = await this.users.query<[unknown[], number]>(
      `UPDATE users SET totp_last_step = $2
        WHERE id = $1 AND mfa_enabled AND (totp_last_step IS NULL OR totp_last_step < $2)
        RETURNING id`,
      [userId, step],
    );
    return rows[1] > 0;
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email: email.toLowerCase() });
  }

  /** A page of users, oldest first, with the total count. */
  list(limit: number, offset: number): Promise<[UserEntity[], number]> {
    return this.users.findAndCount({ order: { createdAt: 'ASC', id: 'ASC' }, take: limit, skip: offset });
  }

  /** False when there is no such user. */
  async setDisabled(id: string, disabled: boolean): Promise<boolean> {
    const updated = ((await this.users.update({ id }, { disabled })).affected ?? 0) > 0;
    this.sessionCache.forgetUser(id);
    return updated;
  }

  /** Sets the roles and stamps the change; with `manager`, inside the caller's transaction. */
  async setRoles(id: string, roles: readonly string[], manager: EntityManager = this.users.manager): Promise<UserEntity | null> {
    const result = await manager.update(UserEntity, { id }, { roles: [...roles], rolesChangedAt: new Date() });
    this.sessionCache.forgetUser(id);
    return (result.affected ?? 0) > 0 ? manager.findOneBy(UserEntity, { id }) : null;
  }

  /** Users whose roles changed after `since`, with their current roles (for the roles cache at start). */
  async findRolesChangedSince(since: Date): Promise<Array<{ userId: string; roles: string[]; at: Date }>> {
    const users = await this.users.find({
      select: { id: true, roles: true, rolesChangedAt: true },
      where: { rolesChangedAt: MoreThan(since) },
    });
    return users.flatMap((user) => (user.rolesChangedAt === null ? [] : [{ userId: user.id, roles: user.roles, at: user.rolesChangedAt }]));
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** Login accepts the username or the email. */
  findByLogin(login: string): Promise<UserEntity | null> {
    const normalized = login.toLowerCase();
    return this.users.findOne({ where: normalized.includes('@') ? { email: normalized } : { username: normalized } });
  }

  /**
   * Checks a password for a user found by {@link findByLogin} (or null). Every outcome costs the same
   * bcrypt work, so timing does not tell them apart; callers must answer all failures identically.
   */
  async checkPassword(user: UserEntity | null, password: string): Promise<CredentialCheck> {
    if (user === null) {
      await this.hasher.verifyAgainstDummy(password);
      return { ok: false, reason: 'unknown_user', userId: null };
    }
    if (!(await this.hasher.verify(password, user.passwordHash))) return { ok: false, reason: 'wrong_password', userId: user.id };
    if (user.disabled) return { ok: false, reason: 'disabled', userId: user.id };
    if (this.hasher.needsRehash(user.passwordHash)) {
      const upgraded = await this.hasher.hash(password);
      // Only if the hash is still the one checked: a password change meanwhile must win.
      await this.users.update({ id: user.id, passwordHash: user.passwordHash }, { passwordHash: upgraded });
      return { ok: true, user: { ...user, passwordHash: upgraded } };
    }
    return { ok: true, user };
  }

  /**
   * True while the user may still log in with the credentials checked: enabled, and the password
   * hash unchanged. A login created after a check re-asks this, so a password change, reset or
   * disable that lands in between cannot leave it alive.
   */
  async credentialsStillValid(userId: string, checkedPasswordHash: string): Promise<boolean> {
    return (await this.users.countBy({ id: userId, passwordHash: checkedPasswordHash, disabled: false })) === 1;
  }

  /** Access tokens issued at or before `at` stop working. With `manager`, inside the caller's transaction. */
  async setTokensValidAfter(userId: string, at: Date, manager: EntityManager = this.users.manager): Promise<void> {
    await manager.update(UserEntity, { id: userId }, { tokensValidAfter: at });
  }

  /** Users whose tokens-valid-after instant is later than `since` (the revocation state to load at start). */
  async findTokensValidAfterSince(since: Date): Promise<Array<{ userId: string; at: Date }>> {
    const users = await this.users.find({
      select: { id: true, tokensValidAfter: true },
      where: { tokensValidAfter: MoreThan(since) },
    });
    return users.flatMap((user) => (user.tokensValidAfter === null ? [] : [{ userId: user.id, at: user.tokensValidAfter }]));
  }
}
