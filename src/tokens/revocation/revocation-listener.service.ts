import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock/clock';
import { RevocationCache } from './revocation-cache';
import { parseRevocationEvent, REVOCATION_CHANNEL } from './revocation-event';
import { RevocationStore } from './revocation-store.service';

/** Shows in pg_stat_activity, so operators (and tests) can find the connection. */
export const LISTENER_APPLICATION_NAME = 'auth-revocation-listener';

const TICK_MS = 5_000;
const HEARTBEAT_TIMEOUT_MS = 3_000;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * Keeps {@link RevocationCache} current across instances: LISTENs on a connection of its own (not
 * the pool's), loads the database's state after every (re)connection, since notifications sent
 * while it was away are lost, and reconnects with backoff. `isLive` is false whenever memory may
 * have missed something; the revocation check then asks the database instead.
 */
@Injectable()
export class RevocationListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RevocationListener.name);
  private client: Client | undefined;
  private live = false;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly store: RevocationStore,
    private readonly cache: RevocationCache,
    private readonly clock: Clock,
  ) {}

  get isLive(): boolean {
    return this.live;
  }

  async onModuleInit(): Promise<void> {
    this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    this.tickTimer.unref();
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.live = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.tickTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const connectionString = this.config.databaseUrl;
    if (connectionString === undefined) throw new Error('No database URL for the revocation listener');
    const client = new Client({ connectionString, application_name: LISTENER_APPLICATION_NAME, keepAlive: true });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', ({ channel, payload }) => {
      const event = channel === REVOCATION_CHANNEL && payload !== undefined ? parseRevocationEvent(payload) : undefined;
      if (event !== undefined) this.cache.apply(event);
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
      // Listening before loading: a revocation committed meanwhile arrives by either path.
      const events = await this.store.snapshot(new Date(this.clock.now() - this.cache.retentionMs));
      if (this.client !== client) return;
      for (const event of events) this.cache.apply(event);
      this.live = true;
      if (this.failures > 0) this.logger.log('Revocation listener reconnected; state reloaded from the database');
      this.failures = 0;
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

  /** Forgets expired revocations, and proves the connection still answers (a silent drop loses notifications). */
  private tick(): void {
    this.cache.sweep();
    const client = this.client;
    if (client === undefined || !this.live) return;
    const timeout = setTimeout(() => this.lost(client, new Error('heartbeat timed out')), HEARTBEAT_TIMEOUT_MS);
    timeout.unref();
    client.query('SELECT 1').then(
      () => clearTimeout(timeout),
      (error: unknown) => {
        clearTimeout(timeout);
        this.lost(client, error);
      },
    );
  }
}
