import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../common/redis/redis-connection';
import { AppConfig } from '../../config/app-config';
import { RevocationChannel, RevocationFeed } from './revocation-feed.service';
import { PROBE_DEADLINE_MS, PROBE_INTERVAL_MS } from './revocation-listener.service';
import { formatLoggedRevocationEvent, LoggedRevocationEvent, parseLoggedRevocationEvent } from './revocation-log';
import { RevocationRelay } from './revocation-relay';

/**
 * With REDIS_URL, a second push channel beside LISTEN/NOTIFY: every logged revocation is published
 * on `<prefix>revocations`, and every instance subscribes. Like the listener it proves liveness by
 * a round trip (a message on a channel of its own every 100 ms, back within 400 ms) and replays the
 * event log from its last seen id after each (re)subscription. Without REDIS_URL it does nothing.
 *
 * Events are published as the store logs them, inside the writing transaction: an instance may
 * apply a revocation whose transaction then rolls back, and refuse those tokens until they expire
 * (failing closed, as the writing instance's own memory does).
 */
@Injectable()
export class RevocationRedisChannel implements RevocationChannel, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RevocationRedisChannel.name);
  private readonly channel: string;
  private readonly probeChannel: string;
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;
  private caughtUp = false;
  private probe: { readonly payload: string; readonly sentAt: number } | undefined;
  private probeSequence = 0;
  private confirmedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly feed: RevocationFeed,
    relay: RevocationRelay,
  ) {
    this.channel = `${config.redisKeyPrefix}revocations`;
    this.probeChannel = `${config.redisKeyPrefix}revocation-probe:${randomBytes(8).toString('hex')}`;
    if (config.redisUrl === undefined) return;
    feed.addChannel(this);
    relay.subscribe((events) => this.publish(events));
  }

  readonly carriesTriggerEvents = false;

  get isLive(): boolean {
    return this.caughtUp && Date.now() - this.confirmedAt <= PROBE_DEADLINE_MS;
  }

  onModuleInit(): void {
    const url = this.config.redisUrl;
    if (url === undefined) return;
    this.publisher = connectRedis(url, 'auth-revocation-publisher', this.logger);
    const subscriber = connectRedis(url, 'auth-revocation-subscriber', this.logger);
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => this.received(channel, message));
    subscriber.on('ready', () => void this.subscribed(subscriber));
    subscriber.on('close', () => (this.caughtUp = false));
    this.timer = setInterval(() => this.sendProbe(), PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.caughtUp = false;
    await Promise.all([this.publisher?.quit().catch(() => undefined), this.subscriber?.quit().catch(() => undefined)]);
  }

  private publish(events: readonly LoggedRevocationEvent[]): void {
    const publisher = this.publisher;
    if (publisher === undefined) return;
    // The event is in the log whatever happens here: instances that miss it read it there.
    for (const event of events) publisher.publish(this.channel, formatLoggedRevocationEvent(event)).catch(() => undefined);
  }

  /** After every (re)connection: subscribe, then replay what the log holds beyond the last seen id. */
  private async subscribed(subscriber: Redis): Promise<void> {
    this.caughtUp = false;
    try {
      await subscriber.subscribe(this.channel, this.probeChannel);
      await this.feed.catchUp();
      this.probe = undefined;
      this.caughtUp = subscriber.status === 'ready';
    } catch (error) {
      this.logger.warn(`Redis revocation channel not ready (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  private received(channel: string, message: string): void {
    if (channel === this.probeChannel) {
      if (this.probe?.payload === message) {
        this.probe = undefined;
        this.confirmedAt = Date.now();
      }
      return;
    }
    if (channel !== this.channel) return;
    const logged = parseLoggedRevocationEvent(message);
    if (logged !== undefined) this.feed.receive(logged.id, logged.event);
  }

  private sendProbe(): void {
    const publisher = this.publisher;
    if (publisher === undefined || !this.caughtUp) return;
    if (this.probe !== undefined) {
      if (Date.now() - this.probe.sentAt <= PROBE_DEADLINE_MS) return;
      // Deaf: reconnect the subscriber, which subscribes and replays the log again.
      this.probe = undefined;
      this.caughtUp = false;
      this.subscriber?.disconnect(true);
      return;
    }
    this.probeSequence += 1;
    const probe = { payload: String(this.probeSequence), sentAt: Date.now() };
    this.probe = probe;
    publisher.publish(this.probeChannel, probe.payload).catch(() => undefined);
  }
}
