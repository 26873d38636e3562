import { Clock } from './clock';

/** A clock the test moves by hand. */
export class FakeClock extends Clock {
  constructor(private current = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    super();
  }

  now(): number {
    return this.current;
  }

  set(ms: number): void {
    this.current = ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
