import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { LoadedSession } from './session-data';

/** How many sessions one instance keeps in memory; the least recently used go first. */
export const SESSION_CACHE_MAX = 10_000;

/** A live session row with its user, as the store loaded it. Times are epoch ms on this process's clock. */
export interface CachedSession {
  readonly sessionId: string;
  readonly user: LoadedSession['user'];
  /** The row's `data` as JSON: every hit parses its own copy, since express-session and handlers mutate what they get. */
  readonly dataJson: string;
  lastUsedAtMs: number;
  /** No later than the row's `idle_expires_at`: past it, the row is read again (another instance may have extended it). */
  idleExpiresAtMs: number;
  /** No later than the row's `absolute_expires_at`. */
  readonly absoluteExpiresAtMs: number;
}

/** Whether every change committed elsewhere reaches this instance in time (the revocation feed is current). */
export interface SessionCacheFreshness {
  readonly isLive: boolean;
}

/** A database load in flight, and the invalidation sequence number when it started. */
export interface SessionLoad {
  readonly sequence: number;
  readonly live: boolean;
}

/**
 * Loaded sessions in memory by `sid_hash` (never the raw id), so that a request with a cookie costs
 * no query while memory is known to be current. Entries are dropped by session (ended, data written,
 * lifetime shortened) and by user (roles, disabled, credentials…), here at once by the writing code
 * and on every instance by the database triggers' events; everything is dropped whenever memory
 * stops being current, and nothing is served or stored until it is current again.
 *
 * A load that read the database before an invalidation may finish after it: each invalidation takes
 * the next sequence number, and a load is stored only if nothing it returned (its session, its user,
 * or everything) was invalidated after it started.
 */
@Injectable()
export class SessionCache {
  private readonly entries = new LRUCache<string, CachedSession>({
    max: SESSION_CACHE_MAX,
    dispose: (entry, sidHash) => this.unindex(sidHash, entry),
  });
  private readonly hashOfSession = new Map<string, string>();
  private readonly hashesOfUser = new Map<string, Set<string>>();
  private freshness: SessionCacheFreshness | undefined;
  private sequence = 0;
  private clearedAt = 0;
  /** Invalidations (their sequence numbers) that a load in flight may predate; pruned as loads finish. */
  private readonly forgottenSessions = new Map<string, number>();
  private readonly forgottenUsers = new Map<string, number>();
  private readonly loads = new Set<SessionLoad>();

  /** Until this is called, memory never counts as current: every request reads the database. */
  followFreshness(freshness: SessionCacheFreshness): void {
    this.freshness = freshness;
  }

  get isLive(): boolean {
    return this.freshness?.isLive === true;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live entry, if memory is current and the entry's expiries lie ahead; otherwise the database must answer. */
  find(sidHash: string, now = Date.now()): CachedSession | undefined {
    if (!this.isLive) {
      this.clear();
      return undefined;
    }
    const entry = this.entries.get(sidHash);
    if (entry === undefined) return undefined;
    if (entry.idleExpiresAtMs <= now || entry.absoluteExpiresAtMs <= now) {
      this.entries.delete(sidHash);
      return undefined;
    }
    return entry;
  }

  /** Call before reading a session from the database, and {@link finishLoad} after, whatever happened. */
  startLoad(): SessionLoad {
    const load = { sequence: this.sequence, live: this.isLive };
    this.loads.add(load);
    return load;
  }

  /** Keeps what the load read (undefined: no live row, or the read failed) unless it may be stale. */
  finishLoad(load: SessionLoad, sidHash: string, entry: CachedSession | undefined): void {
    this.loads.delete(load);
    if (entry !== undefined && load.live && this.isLive && !this.invalidatedSince(load, entry)) {
      this.entries.set(sidHash, entry);
      this.hashOfSession.set(entry.sessionId, sidHash);
      let hashes = this.hashesOfUser.get(entry.user.id);
      if (hashes === undefined) this.hashesOfUser.set(entry.user.id, (hashes = new Set()));
      hashes.add(sidHash);
    }
    this.pruneForgotten();
  }

  /** The store wrote `last_used_at` (and with it the idle expiry). */
  touched(sidHash: string, lastUsedAtMs: number, idleExpiresAtMs?: number): void {
    const entry = this.entries.get(sidHash, { updateAgeOnGet: false });
    if (entry === undefined) return;
    entry.lastUsedAtMs = lastUsedAtMs;
    if (idleExpiresAtMs !== undefined) entry.idleExpiresAtMs = Math.min(idleExpiresAtMs, entry.absoluteExpiresAtMs);
  }

  /** The session ended or changed (by its public id). */
  forgetSession(sessionId: string): void {
    const sequence = this.next();
    if (this.loads.size > 0) this.forgottenSessions.set(sessionId, sequence);
    const sidHash = this.hashOfSession.get(sessionId);
    if (sidHash !== undefined) this.entries.delete(sidHash);
  }

  /** Something a session's principal carries changed for this user, or the user is gone. */
  forgetUser(userId: string): void {
    const sequence = this.next();
    if (this.loads.size > 0) this.forgottenUsers.set(userId, sequence);
    for (const sidHash of [...(this.hashesOfUser.get(userId) ?? [])]) this.entries.delete(sidHash);
  }

  /** Drops one entry that the database no longer matches (a touch found no live row). */
  drop(sidHash: string): void {
    this.entries.delete(sidHash);
  }

  /** Drops everything: memory may have missed changes (the channel was down, or came back). */
  clear(): void {
    this.clearedAt = this.next();
    if (this.entries.size > 0) this.entries.clear();
  }

  private next(): number {
    this.sequence += 1;
    return this.sequence;
  }

  private invalidatedSince(load: SessionLoad, entry: CachedSession): boolean {
    return (
      this.clearedAt > load.sequence ||
      (this.forgottenSessions.get(entry.sessionId) ?? 0) > load.sequence ||
      (this.forgottenUsers.get(entry.user.id) ?? 0) > load.sequence
    );
  }

  /** An invalidation matters only to loads that started before it. */
  private pruneForgotten(): void {
    if (this.loads.size === 0) {
      this.forgottenSessions.clear();
      this.forgottenUsers.clear();
      return;
    }
    let oldest = Infinity;
    for (const load of this.loads) oldest = Math.min(oldest, load.sequence);
    for (const [sessionId, sequence] of this.forgottenSessions) if (sequence <= oldest) this.forgottenSessions.delete(sessionId);
    for (const [userId, sequence] of this.forgottenUsers) if (sequence <= oldest) this.forgottenUsers.delete(userId);
  }

  private unindex(sidHash: string, entry: CachedSession): void {
    if (this.hashOfSession.get(entry.sessionId) === sidHash) this.hashOfSession.delete(entry.sessionId);
    const hashes = this.hashesOfUser.get(entry.user.id);
    hashes?.delete(sidHash);
    if (hashes?.size === 0) this.hashesOfUser.delete(entry.user.id);
  }
}
