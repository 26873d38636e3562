import { CachedSession, SESSION_CACHE_MAX, SessionCache } from './session-cache';

const NOW = 1_000_000;

function entry(sessionId: string, userId: string, overrides: Partial<CachedSession> = {}): CachedSession {
  return {
    sessionId,
    user: {
      id: userId,
      username: 'u',
      email: 'u@example.com',
      roles: ['user'],
      disabled: false,
      createdAt: '',
      emailVerified: true,
      mfaEnabled: false,
    },
    dataJson: '{"csrfNonce":"n"}',
    lastUsedAtMs: NOW,
    idleExpiresAtMs: NOW + 60_000,
    absoluteExpiresAtMs: NOW + 120_000,
    ...overrides,
  };
}

describe('SessionCache', () => {
  let live: { isLive: boolean };
  let cache: SessionCache;

  beforeEach(() => {
    live = { isLive: true };
    cache = new SessionCache();
    cache.followFreshness(live);
  });

  const load = (sidHash: string, loaded: CachedSession) => cache.finishLoad(cache.startLoad(), sidHash, loaded);

  it('serves a completed load', () => {
    load('h1', entry('s1', 'u1'));
    expect(cache.find('h1', NOW)?.sessionId).toBe('s1');
  });

  it('stores nothing and serves nothing before it follows a freshness source', () => {
    const unfollowed = new SessionCache();
    unfollowed.finishLoad(unfollowed.startLoad(), 'h1', entry('s1', 'u1'));
    expect(unfollowed.find('h1', NOW)).toBeUndefined();
  });

  it('does not store a load that read before its session was forgotten', () => {
    const started = cache.startLoad();
    cache.forgetSession('s1');
    cache.finishLoad(started, 'h1', entry('s1', 'u1'));
    expect(cache.find('h1', NOW)).toBeUndefined();
  });

  it('does not store a load that read before its user was forgotten', () => {
    const started = cache.startLoad();
    cache.forgetUser('u1');
    cache.finishLoad(started, 'h1', entry('s1', 'u1'));
    expect(cache.find('h1', NOW)).toBeUndefined();
  });

  it('does not store a load that read before a clear', () => {
    const started = cache.startLoad();
    cache.clear();
    cache.finishLoad(started, 'h1', entry('s1', 'u1'));
    expect(cache.find('h1', NOW)).toBeUndefined();
  });

  it('stores a load that started after the invalidation, and one of another session and user', () => {
    const other = cache.startLoad();
    cache.forgetSession('s1');
    cache.forgetUser('u1');
    const later = cache.startLoad();
    cache.finishLoad(later, 'h1', entry('s1', 'u1'));
    cache.finishLoad(other, 'h2', entry('s2', 'u2'));
    expect(cache.find('h1', NOW)?.sessionId).toBe('s1');
    expect(cache.find('h2', NOW)?.sessionId).toBe('s2');
  });

  it('keeps refusing a stale load while an older load is still in flight (the invalidation is not pruned too early)', () => {
    const oldest = cache.startLoad();
    const stale = cache.startLoad();
    cache.forgetSession('s1');
    const unrelated = cache.startLoad();
    cache.finishLoad(unrelated, 'h9', entry('s9', 'u9'));
    cache.finishLoad(stale, 'h1', entry('s1', 'u1'));
    cache.finishLoad(oldest, 'h3', entry('s3', 'u3'));
    expect(cache.find('h1', NOW)).toBeUndefined();
    expect(cache.find('h3', NOW)?.sessionId).toBe('s3');
  });

  it('drops the entries an invalidation names, by session and by user', () => {
    load('h1', entry('s1', 'u1'));
    load('h2', entry('s2', 'u1'));
    load('h3', entry('s3', 'u2'));
    cache.forgetSession('s3');
    expect(cache.find('h3', NOW)).toBeUndefined();
    expect(cache.find('h1', NOW)).toBeDefined();
    cache.forgetUser('u1');
    expect(cache.find('h1', NOW)).toBeUndefined();
    expect(cache.find('h2', NOW)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('serves nothing, and forgets everything, while memory is not current; stores nothing loaded then', () => {
    load('h1', entry('s1', 'u1'));
    live.isLive = false;
    expect(cache.find('h1', NOW)).toBeUndefined();
    load('h2', entry('s2', 'u2'));
    live.isLive = true;
    expect(cache.find('h1', NOW)).toBeUndefined();
    expect(cache.find('h2', NOW)).toBeUndefined();
  });

  it('does not store a load that started while memory was not current, even if it finishes after', () => {
    live.isLive = false;
    const started = cache.startLoad();
    live.isLive = true;
    cache.finishLoad(started, 'h1', entry('s1', 'u1'));
    expect(cache.find('h1', NOW)).toBeUndefined();
  });

  it('sends a request past either expiry to the database', () => {
    load('h1', entry('s1', 'u1', { idleExpiresAtMs: NOW + 10 }));
    load('h2', entry('s2', 'u2', { absoluteExpiresAtMs: NOW + 10 }));
    expect(cache.find('h1', NOW + 9)).toBeDefined();
    expect(cache.find('h1', NOW + 10)).toBeUndefined();
    expect(cache.find('h2', NOW + 10)).toBeUndefined();
  });

  it('a touch moves the idle expiry, never past the absolute one', () => {
    load('h1', entry('s1', 'u1', { idleExpiresAtMs: NOW + 10, absoluteExpiresAtMs: NOW + 100 }));
    cache.touched('h1', NOW + 5, NOW + 50);
    expect(cache.find('h1', NOW + 20)?.lastUsedAtMs).toBe(NOW + 5);
    cache.touched('h1', NOW + 6, NOW + 500);
    expect(cache.find('h1', NOW + 99)).toBeDefined();
    expect(cache.find('h1', NOW + 100)).toBeUndefined();
  });

  it('is bounded: the least recently used entry goes, and with it its indexes', () => {
    for (let i = 0; i <= SESSION_CACHE_MAX; i++) load(`h${i}`, entry(`s${i}`, `u${i}`));
    expect(cache.size).toBe(SESSION_CACHE_MAX);
    expect(cache.find('h0', NOW)).toBeUndefined();
    // The evicted entry's id no longer points at anything: forgetting it touches no other entry.
    cache.forgetSession('s0');
    expect(cache.size).toBe(SESSION_CACHE_MAX);
  });

  it('a reload of the same session replaces the entry and keeps it reachable by its ids', () => {
    load('h1', entry('s1', 'u1', { dataJson: '{"a":1}' }));
    load('h1', entry('s1', 'u1', { dataJson: '{"a":2}' }));
    expect(cache.find('h1', NOW)?.dataJson).toBe('{"a":2}');
    cache.forgetUser('u1');
    expect(cache.find('h1', NOW)).toBeUndefined();
  });
});
