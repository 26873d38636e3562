import { Injectable } from '@nestjs/common';
import type { RevocationEvent } from '../../tokens/revocation/revocation-event';
import { RevocationService } from '../../tokens/revocation/revocation.service';
import { SessionCache } from '../../users/sessions/session-cache';

/**
 * Ties the session cache to the revocation channel: it serves from memory only while the revocation
 * feed is current, drops what the events name, and is emptied after every (re)connection of the
 * listener, when the database is the truth again.
 */
@Injectable()
export class SessionCacheInvalidation {
  constructor(cache: SessionCache, revocation: RevocationService) {
    cache.followFreshness(revocation);
    revocation.subscribe({
      apply: (event) => forget(cache, event),
      reload: () => {
        cache.clear();
        return Promise.resolve();
      },
    });
  }
}

function forget(cache: SessionCache, event: RevocationEvent): void {
  switch (event.kind) {
    case 'session-changed':
      return cache.forgetSession(event.sessionId);
    case 'user-changed':
    case 'roles':
    case 'tokens-valid-after':
    case 'api-keys':
      return cache.forgetUser(event.userId);
    case 'access-token':
    case 'family':
      return;
  }
}
