import { Test } from '@nestjs/testing';
import { Clock } from '../../common/clock/clock';
import { FakeClock } from '../../common/clock/fake-clock';
import { AppConfig } from '../../config/app-config';
import { testConfig } from '../../config/test-config';
import { RevocationCache } from './revocation-cache';
import type { RevocationEvent } from './revocation-event';
import { POLL_INTERVAL_MS, RevocationFeed } from './revocation-feed.service';
import type { LoggedRevocationEvent } from './revocation-log';
import { RevocationStore } from './revocation-store.service';

/** The log as the database holds it: only committed rows are visible. */
class FakeLog {
  committed = new Map<number, RevocationEvent>();
  reads: Array<{ afterId: number; missing: readonly number[] }> = [];
  failing = false;

  latestEventId(): Promise<number> {
    return Promise.resolve(Math.max(0, ...this.committed.keys()));
  }

  snapshot(): Promise<RevocationEvent[]> {
    return Promise.resolve([]);
  }

  eventsAfter(afterId: number, missing: readonly number[]): Promise<LoggedRevocationEvent[]> {
    this.reads.push({ afterId, missing });
    if (this.failing) return Promise.reject(new Error('database down'));
    const rows = [...this.committed].filter(([id]) => id > afterId || missing.includes(id)).sort(([x], [y]) => x - y);
    return Promise.resolve(rows.map(([id, event]) => ({ id, event })));
  }
}

const blocklisted = (jti: string): RevocationEvent => ({ kind: 'access-token', jti, expiresAt: Date.now() + 60_000 });
const token = (jti: string) => ({ sub: 'u', jti, sid: 'f', iat: Math.floor(Date.now() / 1000), roles: [] });

describe('RevocationFeed', () => {
  let log: FakeLog;
  let feed: RevocationFeed;
  let cache: RevocationCache;

  beforeEach(async () => {
    log = new FakeLog();
    const moduleRef = await Test.createTestingModule({
      providers: [
        RevocationCache,
        RevocationFeed,
        { provide: Clock, useValue: new FakeClock(Date.now()) },
        { provide: AppConfig, useValue: testConfig() },
        { provide: RevocationStore, useValue: log },
      ],
    }).compile();
    feed = moduleRef.get(RevocationFeed);
    cache = moduleRef.get(RevocationCache);
  });

  afterEach(() => feed.onModuleDestroy());

  it('reads again an id that was skipped because its transaction had not committed yet', async () => {
    log.committed.set(1, blocklisted('one'));
    log.committed.set(3, blocklisted('three'));
    await feed.catchUp();
    expect(cache.isRevoked(token('three'))).toBe(true);

    log.committed.set(2, blocklisted('two'));
    await feed.catchUp();

    expect(log.reads.at(-1)).toEqual({ afterId: 3, missing: [2] });
    expect(cache.isRevoked(token('two'))).toBe(true);
    await feed.catchUp();
    expect(log.reads.at(-1)).toEqual({ afterId: 3, missing: [] });
  });

  it('replays only what follows the last id a push channel delivered', async () => {
    await feed.catchUp();
    feed.receive(1, blocklisted('pushed'));
    log.committed.set(1, blocklisted('pushed'));
    log.committed.set(2, blocklisted('missed'));

    await feed.catchUp();

    expect(log.reads.at(-1)).toEqual({ afterId: 1, missing: [] });
    expect(cache.isRevoked(token('missed'))).toBe(true);
  });

  it('is current after a read of the log or while a channel is live, and not once reads fail and no channel is live', async () => {
    expect(feed.isCurrent).toBe(false);
    await feed.catchUp();
    expect(feed.isCurrent).toBe(true);

    log.failing = true;
    await expect(feed.catchUp()).rejects.toThrow('database down');
    const readAt = (feed as unknown as { readAt: number }).readAt;
    (feed as unknown as { readAt: number }).readAt = readAt - 1_000;
    expect(feed.isCurrent).toBe(false);

    const channel = { isLive: true, carriesTriggerEvents: true };
    feed.addChannel(channel);
    expect(feed.isCurrent).toBe(true);
    expect(feed.hearsTriggerEvents).toBe(true);
    channel.isLive = false;
    expect(feed.isCurrent).toBe(false);
    expect(feed.hearsTriggerEvents).toBe(false);
  });

  it("with only Redis live, is current for what instances write, not for the triggers' events, and keeps polling the log", async () => {
    await feed.onModuleInit();
    const redis = { isLive: true, carriesTriggerEvents: false };
    feed.addChannel(redis);
    (feed as unknown as { readAt: number }).readAt = 0;
    expect(feed.isCurrent).toBe(true);
    expect(feed.hearsTriggerEvents).toBe(false);

    const reads = log.reads.length;
    log.committed.set(1, { kind: 'api-keys', userId: 'u', at: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 2 * POLL_INTERVAL_MS));
    expect(log.reads.length).toBeGreaterThan(reads);
    expect(feed.hearsTriggerEvents).toBe(true);
  });
});
