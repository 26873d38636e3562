import { parseRevocationEvent, RevocationEvent } from './revocation-event';

/** A revocation with its id in the event log (`revocation_events.id`), as NOTIFY and Redis carry it. */
export interface LoggedRevocationEvent {
  readonly id: number;
  readonly event: RevocationEvent;
}

/**
 * A message's event and, when it has one, its log id. The id sits beside the event's own fields, so an
 * instance that predates the log still reads the event.
 */
export function parseLoggedRevocationEvent(payload: string): { id: number | undefined; event: RevocationEvent } | undefined {
  const event = parseRevocationEvent(payload);
  if (event === undefined) return undefined;
  const { id } = JSON.parse(payload) as { id?: unknown };
  return { id: typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined, event };
}

export function formatLoggedRevocationEvent({ id, event }: LoggedRevocationEvent): string {
  return JSON.stringify({ id, ...event });
}
