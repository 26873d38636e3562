import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RevocationEvent } from '../../tokens/revocation/revocation-event';
import { RevocationService } from '../../tokens/revocation/revocation.service';

/** What a request needs to know of a live key. */
export interface LiveApiKey {
  readonly id: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  /** Epoch ms of the last write of `last_used_at` (or of its value when loaded); mutable, in memory only. */
  lastUsedAt: number;
}

interface KeyRow {
  id: string;
  key_hash: string;
  user_id: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
}

const RETRY_MS = 500;

const LIVE_KEYS = `SELECT k.id, k.key_hash, k.user_id, k.scopes, k.created_at, k.expires_at, k.last_used_at
  FROM api_keys k JOIN users u ON u.id = k.user_id
 WHERE NOT u.disabled AND (k.expires_at IS NULL OR k.expires_at > now())`;

/**
 * Every usable API key (of users who are not disabled), in memory by hash, so ApiKeyGuard answers
 * without a query while the revocation channel is live. The database is the truth: all of it is read
 * after each (re)connection of the revocation listener, and one user's keys again whenever an event
 * names that user: `api-keys` (created, revoked, the user disabled, enabled or deleted: database
 * triggers send it whatever made the change), `tokens-valid-after`, `roles`.
 */
@Injectable()
export class ApiKeyRegistry {
  private readonly byHash = new Map<string, LiveApiKey>();
  private readonly hashesOfUser = new Map<string, Set<string>>();
  /** The newest reload started per user: an older one that finishes later is dropped. */
  private readonly userReloads = new Map<string, number>();
  private reloads = 0;
  /** Keys revoked on this instance (their 256-bit hashes: a few bytes each, never reused). */
  private readonly revokedHashes = new Set<string>();
  /** When (in read order) each user's last completed reload read: a full reload that read earlier must not undo it. */
  private readonly userReloadedAt = new Map<string, number>();
  private fullReload: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    revocation: RevocationService,
  ) {
    revocation.subscribe({ apply: (event) => this.apply(event), reload: () => this.reloadAll() });
  }

  /** Reads the user's keys again now (after a change committed here, so this instance applies it before answering). */
  refresh(userId: string): Promise<void> {
    return this.reloadUser(userId);
  }

  /**
   * Drops a key revoked here, for good: a reload that read before the revocation committed (one is
   * started inside the revoking transaction) cannot bring it back. Hashes are never reused.
   */
  forgetKey(hash: string): void {
    this.revokedHashes.add(hash);
    const live = this.byHash.get(hash);
    this.byHash.delete(hash);
    if (live !== undefined) this.hashesOfUser.get(live.userId)?.delete(hash);
  }

  find(hash: string): LiveApiKey | undefined {
    return this.byHash.get(hash);
  }

  /** One row read from the database (the fallback while the channel is down), in the shape memory holds. */
  static toLive(row: KeyRow): LiveApiKey {
    return {
      id: row.id,
      userId: row.user_id,
      scopes: row.scopes,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at?.getTime() ?? 0,
    };
  }

  /** The live key with this hash, from the database (used only while memory may be stale). */
  async findInDatabase(hash: string): Promise<LiveApiKey | undefined> {
    const [row] = await this.dataSource.query<KeyRow[]>(`${LIVE_KEYS} AND k.key_hash = $1`, [hash]);
    return row === undefined ? undefined : ApiKeyRegistry.toLive(row);
  }

  private apply(event: RevocationEvent): void {
    // Any event about a user may concern their keys (disabled, deleted): a reload is one indexed query per event, never per request.
    // 'user-changed' is skipped: what it reports of keys (disabled, deleted) comes as 'api-keys' too.
    if ('userId' in event && event.kind !== 'user-changed') void this.reloadUser(event.userId);
  }

  private reloadAll(): Promise<void> {
    const started = ++this.reloads;
    const reload = (async () => {
      const rows = await this.dataSource.query<KeyRow[]>(LIVE_KEYS);
      // A user whose own reload completed after this read began keeps what that fresher read found
      // (a key revoked meanwhile must not come back from this older snapshot).
      const fresher = new Set([...this.userReloadedAt].filter(([, sequence]) => sequence > started).map(([userId]) => userId));
      for (const userId of [...this.hashesOfUser.keys()]) if (!fresher.has(userId)) this.forgetUser(userId);
      for (const row of rows) if (!fresher.has(row.user_id)) this.put(row);
      for (const [userId, sequence] of this.userReloadedAt) if (sequence <= started) this.userReloadedAt.delete(userId);
    })();
    this.fullReload = reload.finally(() => (this.fullReload = undefined));
    return reload;
  }

  private async reloadUser(userId: string, retry = true): Promise<void> {
    const sequence = ++this.reloads;
    this.userReloads.set(userId, sequence);
    try {
      // A full reload in flight would overwrite this user's fresher rows: wait for it, then read.
      await this.fullReload?.catch(() => undefined);
      const readAt = ++this.reloads;
      const rows = await this.dataSource.query<KeyRow[]>(`${LIVE_KEYS} AND k.user_id = $1`, [userId]);
      if (this.userReloads.get(userId) !== sequence) return;
      this.forgetUser(userId);
      for (const row of rows) this.put(row);
      this.userReloadedAt.set(userId, readAt);
    } catch {
      // Fail closed: the user's keys stop here until a reload succeeds (retried once, and after any reconnection).
      if (this.userReloads.get(userId) === sequence) this.forgetUser(userId);
      if (retry) setTimeout(() => void this.reloadUser(userId, false), RETRY_MS).unref();
    } finally {
      if (this.userReloads.get(userId) === sequence) this.userReloads.delete(userId);
    }
  }

  private forgetUser(userId: string): void {
    for (const hash of this.hashesOfUser.get(userId) ?? []) this.byHash.delete(hash);
    this.hashesOfUser.delete(userId);
  }

  private put(row: KeyRow): void {
    if (this.revokedHashes.has(row.key_hash)) return;
    this.byHash.set(row.key_hash, ApiKeyRegistry.toLive(row));
    let hashes = this.hashesOfUser.get(row.user_id);
    if (hashes === undefined) this.hashesOfUser.set(row.user_id, (hashes = new Set()));
    hashes.add(row.key_hash);
  }
}
