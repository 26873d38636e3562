import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UserEntity } from '../../users/user.entity';
import { RevocableToken, RevocationCache, RevocationSubscriber } from './revocation-cache';
import type { RevocationEvent } from './revocation-event';
import { RevocationFeed } from './revocation-feed.service';
import { RevocationStore } from './revocation-store.service';

/**
 * Stops access tokens before their `exp`, on every instance. Writes go to PostgreSQL with an event
 * log row and a NOTIFY in the same transaction and apply to this instance's memory at once; the
 * check reads memory only, unless memory may be stale (no live channel and no recent read of the
 * log), when it asks the database.
 *
 * Methods that take an `EntityManager` write inside the caller's transaction; this instance's memory
 * is then updated before that transaction commits, so a rollback leaves it refusing those tokens
 * (failing closed) until they expire.
 */
@Injectable()
export class RevocationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: RevocationStore,
    private readonly cache: RevocationCache,
    private readonly feed: RevocationFeed,
  ) {}

  /** Blocklists one access token until its expiry (`exp`, seconds). */
  revokeAccessToken(jti: string, userId: string, exp: number): Promise<void> {
    return this.write(undefined, (manager) => this.store.revokeAccessToken(manager, jti, userId, new Date(exp * 1000)));
  }

  /** Revokes a refresh family: its refresh tokens and every access token it issued. */
  revokeFamily(familyId: string, manager?: EntityManager): Promise<void> {
    return this.write(manager, (m) => this.store.revokeFamily(m, familyId));
  }

  /** Revokes every refresh family of the user, except `exceptFamilyId` when given. */
  revokeAllFamiliesOfUser(userId: string, exceptFamilyId?: string, manager?: EntityManager): Promise<void> {
    return this.write(manager, (m) => this.store.revokeAllFamiliesOfUser(m, userId, exceptFamilyId));
  }

  /** Stops every access token of the user issued at or before `at` (logout-all, password change, disable). */
  setUserTokensValidAfter(userId: string, at: Date, manager?: EntityManager): Promise<void> {
    return this.write(manager, (m) => this.store.setTokensValidAfter(m, userId, at));
  }

  /**
   * Closes an account: in one transaction every refresh family is revoked, the user's access tokens
   * stop (tokens-valid-after, kept in `deleted_users` beyond the row, and NOTIFYed to every instance
   * at commit) and `deleteRow` deletes the user (sessions and the rest go with it). False, and
   * nothing changed, when `deleteRow` found no user.
   */
  async closeAccount(userId: string, deleteRow: (manager: EntityManager) => Promise<boolean>): Promise<boolean> {
    const events = await this.dataSource
      .transaction(async (manager) => {
        const revoked = [
          ...(await this.store.revokeAllFamiliesOfUser(manager, userId)),
          ...(await this.store.recordUserDeleted(manager, userId, new Date())),
        ];
        if (!(await deleteRow(manager))) throw new NoSuchUser();
        return revoked;
      })
      .catch((error: unknown) => {
        if (error instanceof NoSuchUser) return null;
        throw error;
      });
    if (events === null) return false;
    for (const event of events) this.cache.apply(event);
    return true;
  }

  /** Sets the user's roles; access tokens issued before take the new roles at once, on every instance. */
  async changeRoles(userId: string, roles: readonly string[]): Promise<UserEntity | null> {
    const [user, events] = await this.dataSource.transaction((manager) => this.store.changeRoles(manager, userId, roles));
    for (const event of events) this.cache.apply(event);
    return user;
  }

  /** The token holder's current roles: memory while it is current (a live channel or a recent read of the log), else the database. */
  rolesOf(token: RevocableToken): readonly string[] | Promise<readonly string[]> {
    return this.feed.isCurrent ? this.cache.rolesOf(token) : this.store.rolesOf(token);
  }

  /** Memory only while it is current (no I/O); the database as well when it may be stale (fail closed). */
  isRevoked(token: RevocableToken): boolean | Promise<boolean> {
    if (this.cache.isRevoked(token)) return true;
    return this.feed.isCurrent ? false : this.store.isRevoked(token);
  }

  /** Tells every instance (this one at once) that the user's API keys changed, in the caller's transaction when given. */
  apiKeysChanged(userId: string, manager?: EntityManager): Promise<void> {
    return this.write(manager, (m) => this.store.apiKeysChanged(m, userId, new Date()));
  }

  /** Registers memory that mirrors the database and must hear every revocation event (see {@link RevocationSubscriber}). */
  subscribe(subscriber: RevocationSubscriber): void {
    this.cache.subscribe(subscriber);
  }

  /**
   * True while memory is known to hear every event, the triggers' included (the LISTEN channel is
   * live or the log was read just now): memory that follows them (API keys, sessions) may then skip
   * the database.
   */
  get isLive(): boolean {
    return this.feed.hearsTriggerEvents;
  }

  /** The smallest `iat` (seconds) a new access token of this user may carry. */
  earliestIssuedAt(userId: string): number {
    return this.cache.earliestIssuedAt(userId);
  }

  private async write(manager: EntityManager | undefined, write: (manager: EntityManager) => Promise<RevocationEvent[]>): Promise<void> {
    const events = manager === undefined ? await this.dataSource.transaction(write) : await write(manager);
    for (const event of events) this.cache.apply(event);
  }
}

class NoSuchUser extends Error {}
