import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { RevocationCache } from './revocation-cache';
import { REVOCATION_CHANNEL } from './revocation-event';
import { RevocationFeed } from './revocation-feed.service';
import { parseLoggedRevocationEvent } from './revocation-log';

/** Shows in pg_stat_activity, so operators (and tests) can find the connection. */
export const LISTENER_APPLICATION_NAME = 'auth-revocation-listener';

const SWEEP_MS = 5_000;
/** How often the listener sends itself a NOTIFY, and how old its last received one may be while live. */
export const PROBE_INTERVAL_MS = 100;
export const PROBE_DEADLINE_MS = 400;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * Keeps {@link RevocationCache} current across instances: LISTENs on a connection of its own
 * (DATABASE_LISTEN_URL, not the pool's), has {@link RevocationFeed} replay the event log from its
 * last seen id after every (re)connection, since notifications sent while it was away are lost,
 * and reconnects with backoff. `isLive` is false whenever it may have missed something; the feed
 * then polls the log, and the revocation check asks the database while neither is current.
 *
 * Liveness is proven, not assumed: every {@link PROBE_INTERVAL_MS} a NOTIFY on a channel of its own
 * is sent through the pool (another backend, as other instances' revocations are) and must arrive
 * within {@link PROBE_DEADLINE_MS}. `SELECT 1` would answer through a transaction-mode pooler that
 * never delivers a notification, or on a connection whose LISTEN was lost; a round trip cannot,
 * and a hung backend is noticed within a second.
 */
@Injectable()
export class RevocationListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RevocationListener.name);
  private client: Client | undefined;
  private live = false;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  /** This instance's probe channel: other instances' probes never reach it. */
  private readonly probeChannel = `auth_probe_${randomBytes(8).toString('hex')}`;
  private probeSequence = 0;
  /** The probe in flight: its payload and when it was sent. */
  private probe: { readonly payload: string; readonly sentAt: number } | undefined;
  /** When a probe last came back. */
  private confirmedAt = 0;
  private warnedDeaf = false;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly feed: RevocationFeed,
    private readonly cache: RevocationCache,
  ) {
    feed.addChannel(this);
  }

  /** True while memory is known to be current: connected, log replayed, and a probe came back recently. */
  readonly carriesTriggerEvents = true;

  get isLive(): boolean {
    return this.live && Date.now() - this.confirmedAt <= PROBE_DEADLINE_MS;
  }

  async onModuleInit(): Promise<void> {
    this.sweepTimer = setInterval(() => this.cache.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
    this.probeTimer = setInterval(() => this.sendProbe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.live = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.sweepTimer);
    clearInterval(this.probeTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const connectionString = this.config.databaseListenUrl;
    if (connectionString === undefined) throw new Error('No database URL for the revocation listener');
    const client = new Client({ connectionString, application_name: LISTENER_APPLICATION_NAME, keepAlive: true });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', ({ channel, payload }) => {
      if (channel === this.probeChannel) return this.probeReturned(payload);
      const logged = channel === REVOCATION_CHANNEL && payload !== undefined ? parseLoggedRevocationEvent(payload) : undefined;
      if (logged !== undefined) this.feed.receive(logged.id, logged.event);
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
      await client.query(`LISTEN ${this.probeChannel}`);
      // Listening before replaying: a revocation committed meanwhile arrives by either path.
      await this.feed.catchUp();
      if (this.client !== client) return;
      await this.cache.reloadSubscribers();
      if (this.client !== client) return;
      this.live = true;
      this.probe = undefined;
      this.sendProbe();
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.live = false;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** this.failures, MAX_RETRY_MS);
    if (this.failures === 0) {
      const reason = error instanceof Error ? error.message : 'connection ended';
      this.logger.warn(`Revocation listener lost (${reason}); checking revocations in the database until it is back`);
    }
    this.failures += 1;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  /**
   * Sends the next probe, or gives the connection up when the last one did not come back in time:
   * the connection is hung, or LISTEN does not deliver on it (a transaction-mode pooler).
   */
  private sendProbe(): void {
    const client = this.client;
    if (client === undefined || !this.live) return;
    if (this.probe !== undefined) {
      if (Date.now() - this.probe.sentAt <= PROBE_DEADLINE_MS) return;
      this.warnIfDeaf();
      this.lost(client, new Error('a NOTIFY it sent itself did not come back'));
      return;
    }
    this.probeSequence += 1;
    const probe = { payload: String(this.probeSequence), sentAt: Date.now() };
    this.probe = probe;
    this.dataSource
      .query('SELECT pg_notify($1, $2)', [this.probeChannel, probe.payload])
      .catch((error: unknown) => this.lost(client, error));
  }

  private probeReturned(payload: string | undefined): void {
    if (this.probe === undefined || payload !== this.probe.payload) return;
    this.probe = undefined;
    this.confirmedAt = Date.now();
    this.warnedDeaf = false;
    // Counted as recovered only once a notification arrives: a deaf connection (a pooler) keeps backing off, logged once.
    if (this.failures > 0)
      this.logger.log('Revocation listener receives notifications again; missed revocations were replayed from the event log');
    this.failures = 0;
  }

  /** Once per outage: the one line an operator needs when LISTEN goes through a transaction pooler. */
  private warnIfDeaf(): void {
    if (this.warnedDeaf) return;
    this.warnedDeaf = true;
    this.logger.warn(
      'The revocation listener does not receive notifications (a transaction-mode pooler in DATABASE_LISTEN_URL?): ' +
        'every revocation check asks the database until it does',
    );
  }
}
