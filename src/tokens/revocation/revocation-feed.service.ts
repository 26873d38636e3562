import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { RevocationCache } from './revocation-cache';
import type { RevocationEvent } from './revocation-event';
import { LOG_PAGE, RevocationStore } from './revocation-store.service';

/** How often the log is read while no push channel (LISTEN, Redis) is live. */
export const POLL_INTERVAL_MS = 300;
/** How old the start of the last completed read may be for memory to count as current without a push channel. */
export const POLL_STALE_MS = 800;
/** At start, the ids just below the newest are re-read: a transaction that took one may not have committed yet. */
const START_LOOKBACK = 100;
/** How long a skipped id is looked for (a rolled-back transaction never fills it). */
const GAP_TTL_MS = 60_000;
const MAX_GAPS = 1_000;

/** A way other instances' revocations reach this one, current while `isLive`. */
export interface RevocationChannel {
  readonly isLive: boolean;
  /**
   * Whether it carries the database triggers' events too (LISTEN/NOTIFY does; Redis carries only
   * what an instance's RevocationStore wrote, not what a trigger logged: API keys, sessions, users).
   */
  readonly carriesTriggerEvents: boolean;
}

/**
 * Keeps memory in step with the revocation event log. At start it loads the state, then follows the
 * log by id: push channels (LISTEN/NOTIFY, Redis) hand it events as they commit and call
 * {@link catchUp} after every reconnection, so only what was missed is read again; while none of
 * them is live it reads the log every {@link POLL_INTERVAL_MS} instead. Ids are taken at insert and
 * committed in any order, so an id skipped over is remembered and read again until it shows up.
 *
 * `isCurrent` says whether memory may be trusted for what instances write (access tokens,
 * families, tokens-valid-after, roles): a push channel is live, or a read of the log started less
 * than {@link POLL_STALE_MS} ago. Otherwise the revocation check asks the database.
 * `hearsTriggerEvents` is the stricter test for memory that also follows the triggers' events
 * (API keys, sessions): the LISTEN channel is live or the log was read just now. The log is polled
 * whenever that channel is not live, Redis or not, so those events still arrive.
 */
@Injectable()
export class RevocationFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RevocationFeed.name);
  private readonly channels: RevocationChannel[] = [];
  private starting: Promise<void> | undefined;
  private started = false;
  private lastId = 0;
  /** Skipped ids → when first skipped. */
  private readonly gaps = new Map<number, number>();
  /** When the last completed read of the log started. */
  private readAt = 0;
  private reading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private warned = false;

  constructor(
    private readonly store: RevocationStore,
    private readonly cache: RevocationCache,
    private readonly clock: Clock,
  ) {}

  get isCurrent(): boolean {
    return this.started && (this.channels.some((channel) => channel.isLive) || this.readRecently);
  }

  get hearsTriggerEvents(): boolean {
    return this.started && (this.isPushedEverything || this.readRecently);
  }

  private get readRecently(): boolean {
    return Date.now() - this.readAt <= POLL_STALE_MS;
  }

  /** True while a channel that carries every event is live (then the log is not polled). */
  private get isPushedEverything(): boolean {
    return this.channels.some((channel) => channel.isLive && channel.carriesTriggerEvents);
  }

  addChannel(channel: RevocationChannel): void {
    this.channels.push(channel);
  }

  async onModuleInit(): Promise<void> {
    this.timer = setInterval(() => {
      if (!this.isPushedEverything) this.catchUp().catch((error: unknown) => this.warnOnce(error));
    }, POLL_INTERVAL_MS);
    this.timer.unref();
    await this.catchUp().catch((error: unknown) => this.warnOnce(error));
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** An event pushed by a channel; `id` is its log id when the message carried one. */
  receive(id: number | undefined, event: RevocationEvent): void {
    this.cache.apply(event);
    if (id !== undefined && this.started) this.track(id);
  }

  /** Reads what the log holds beyond what was seen (loading the state first, once); concurrent calls share one read. */
  catchUp(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<void> {
    if (!this.started) await this.start();
    const startedAt = Date.now();
    for (;;) {
      this.forgetOldGaps();
      const events = await this.store.eventsAfter(this.lastId, [...this.gaps.keys()]);
      for (const { id, event } of events) this.receive(id, event);
      if (events.length < LOG_PAGE) break;
    }
    this.readAt = startedAt;
    if (this.warned) this.logger.log('Revocation event log readable again');
    this.warned = false;
  }

  private start(): Promise<void> {
    this.starting ??= (async () => {
      const latest = await this.store.latestEventId();
      for (const event of await this.store.snapshot(new Date(this.clock.now() - this.cache.retentionMs))) this.cache.apply(event);
      this.lastId = Math.max(0, latest - START_LOOKBACK);
      this.started = true;
    })().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private track(id: number): void {
    if (id <= this.lastId) {
      this.gaps.delete(id);
      return;
    }
    const now = Date.now();
    for (let skipped = Math.max(this.lastId + 1, id - MAX_GAPS); skipped < id; skipped++) this.gaps.set(skipped, now);
    this.lastId = id;
    if (this.gaps.size > MAX_GAPS) {
      for (const skipped of this.gaps.keys()) {
        this.gaps.delete(skipped);
        if (this.gaps.size <= MAX_GAPS) break;
      }
    }
  }

  private forgetOldGaps(): void {
    const oldest = Date.now() - GAP_TTL_MS;
    for (const [id, since] of this.gaps) if (since < oldest) this.gaps.delete(id);
  }

  private warnOnce(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(
      `Reading the revocation event log failed (${error instanceof Error ? error.message : String(error)}); checking revocations in the database`,
    );
  }
}
