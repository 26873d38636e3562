import { Injectable } from '@nestjs/common';
import type { LoggedRevocationEvent } from './revocation-log';

type Subscriber = (events: readonly LoggedRevocationEvent[]) => void;

/**
 * Hands the events the store has just logged to the channels that push them to other instances
 * besides NOTIFY (Redis), without the store knowing them.
 */
@Injectable()
export class RevocationRelay {
  private readonly subscribers: Subscriber[] = [];

  subscribe(subscriber: Subscriber): void {
    this.subscribers.push(subscriber);
  }

  published(events: readonly LoggedRevocationEvent[]): void {
    if (events.length === 0) return;
    for (const subscriber of this.subscribers) subscriber(events);
  }
}
