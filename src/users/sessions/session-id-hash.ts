import { createHash } from 'node:crypto';

/** The sessions table is keyed by this, never by the session id itself. */
export function hashSessionId(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('hex');
}
