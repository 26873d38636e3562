import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, MoreThan, Repository } from 'typeorm';
import { PG_UNIQUE_VIOLATION, pgConstraint, pgErrorCode } from '../common/errors/database-errors';
import { DomainException } from '../common/errors/domain.exception';
import { ErrorCode } from '../common/errors/error-code';
import { EMAIL_UNIQUE, USER_ROLE, UserEntity } from './entities/user.entity';
import { PasswordHasher } from './password-hasher.service';
import { PasswordPolicy } from './password-policy.service';

export interface NewUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly roles?: readonly string[];
}

/** Users: creation, look-up and credential checks. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
  ) {}

  /** Concurrent creations of one name are settled by the unique index: one wins, the rest get 409. */
  async create(input: NewUser): Promise<UserEntity> {
    const username = input.username.toLowerCase();
    const email = input.email.toLowerCase();
    this.policy.assertAcceptable(input.password, { username, email });
    const passwordHash = await this.hasher.hash(input.password);
    try {
      return await this.users.save(
        this.users.create({ username, email, passwordHash, roles: [...(input.roles ?? [USER_ROLE])] }),
      );
    } catch (error) {
      if (pgErrorCode(error) !== PG_UNIQUE_VIOLATION) throw error;
      throw pgConstraint(error) === EMAIL_UNIQUE
        ? new DomainException(ErrorCode.EMAIL_TAKEN, 'That email is already registered')
        : new DomainException(ErrorCode.USERNAME_TAKEN, 'That username is taken');
    }
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
   * The user when the password is theirs and the account may log in; null otherwise, after the same
   * bcrypt work in every case so the answer's timing does not tell which.
   */
  async verifyCredentials(login: string, password: string): Promise<UserEntity | null> {
    const user = await this.findByLogin(login);
    if (user === null) return this.hasher.verifyAgainstDummy(password).then(() => null);
    const matches = await this.hasher.verify(password, user.passwordHash);
    if (!matches || user.disabled) return null;
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.update({ id: user.id }, { passwordHash: await this.hasher.hash(password) });
    }
    return user;
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
