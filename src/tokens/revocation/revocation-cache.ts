import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock/clock';
import type { RevocationEvent } from './revocation-event';

/** The claims the revocation check needs. */
export interface RevocableToken {
  readonly sub: string;
  readonly jti: string;
  readonly sid: string;
  /** Seconds. */
  readonly iat: number;
  readonly roles: readonly string[];
}

/**
 * Memory elsewhere that mirrors the database and must hear every revocation event (API keys, cookie sessions): `apply`
 * for each event, local or from another instance; `reload` after every (re)connection of the
 * listener, before memory counts as live again.
 */
export interface RevocationSubscriber {
  apply(event: RevocationEvent): void;
  reload(): Promise<void>;
}

/**
 * The live revocations, in memory, so that the guard answers without a database round trip.
 * Each entry is kept only while a token it stops could still verify, then swept.
 *
 * Access tokens carry `iat` in whole seconds, so a tokens-valid-after instant `at` stops every
 * token with `iat <= floor(at / 1000)`: a token signed earlier in the same second as a logout-all
 * is stopped. Tokens issued later in that second would be stopped too, so the issuer asks
 * {@link earliestIssuedAt} and dates them from the next second.
 */
@Injectable()
export class RevocationCache {
  /** jti → when to forget it. */
  private readonly accessTokens = new Map<string, number>();
  /** family id → when to forget it. */
  private readonly families = new Map<string, number>();
  /** user id → tokens-valid-after instant. */
  private readonly validAfter = new Map<string, number>();
  /** user id → roles set by an admin, and when. */
  private readonly rolesChanges = new Map<string, { roles: readonly string[]; at: number }>();
  /** How long after an instant a token issued before it can still verify. */
  private readonly accessTokenReachMs: number;
  private readonly toleranceMs: number;
  private readonly subscribers: RevocationSubscriber[] = [];

  constructor(
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.toleranceMs = config.jwtClockToleranceSeconds * 1000;
    this.accessTokenReachMs = config.jwtAccessTtlSeconds * 1000 + this.toleranceMs;
  }

  subscribe(subscriber: RevocationSubscriber): void {
    this.subscribers.push(subscriber);
  }

  /** Every subscriber reloads from the database (the listener calls it after each connection). */
  async reloadSubscribers(): Promise<void> {
    await Promise.all(this.subscribers.map((subscriber) => subscriber.reload()));
  }

  apply(event: RevocationEvent): void {
    for (const subscriber of this.subscribers) subscriber.apply(event);
    switch (event.kind) {
      case 'api-keys':
      case 'session-changed':
      case 'user-changed':
        return;
      case 'access-token':
        this.accessTokens.set(event.jti, event.expiresAt + this.toleranceMs);
        return;
      case 'family':
        this.families.set(event.familyId, event.expiresAt + this.accessTokenReachMs);
        return;
      case 'tokens-valid-after':
        this.validAfter.set(event.userId, Math.max(event.at, this.validAfter.get(event.userId) ?? 0));
        return;
      case 'roles': {
        const known = this.rolesChanges.get(event.userId);
        if (known === undefined || known.at <= event.at) this.rolesChanges.set(event.userId, { roles: event.roles, at: event.at });
        return;
      }
    }
  }

  isRevoked(token: RevocableToken): boolean {
    if (this.accessTokens.has(token.jti) || this.families.has(token.sid)) return true;
    const at = this.validAfter.get(token.sub);
    return at !== undefined && token.iat <= Math.floor(at / 1000);
  }

  /**
   * The roles a token's holder has now: those of the latest change an admin made, else the token's.
   * Tokens signed after a change carry the same roles, so the change needs no `iat` comparison,
   * which could misjudge a token dated into the next second (see {@link earliestIssuedAt}).
   */
  rolesOf(token: RevocableToken): readonly string[] {
    return this.rolesChanges.get(token.sub)?.roles ?? token.roles;
  }

  /** The smallest `iat` (seconds) a new token of this user may carry and still be accepted. */
  earliestIssuedAt(userId: string): number {
    const at = this.validAfter.get(userId);
    return at === undefined ? 0 : Math.floor(at / 1000) + 1;
  }

  /** Forgets the entries that can no longer stop a token that would otherwise verify. */
  sweep(): void {
    const now = this.clock.now();
    for (const [jti, forgetAt] of this.accessTokens) if (forgetAt < now) this.accessTokens.delete(jti);
    for (const [familyId, forgetAt] of this.families) if (forgetAt < now) this.families.delete(familyId);
    for (const [userId, at] of this.validAfter) if (at + this.accessTokenReachMs < now) this.validAfter.delete(userId);
    for (const [userId, { at }] of this.rolesChanges) if (at + this.accessTokenReachMs < now) this.rolesChanges.delete(userId);
  }

  /** How far back the database must be read to rebuild this state. */
  get retentionMs(): number {
    return this.accessTokenReachMs;
  }

  get size(): number {
    return this.accessTokens.size + this.families.size + this.validAfter.size + this.rolesChanges.size;
  }
}
