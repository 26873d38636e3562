import { BUSY_MAIN_THREAD, HashingSlots } from './hashing-slots';

describe('HashingSlots', () => {
  it('one slot per core while the main thread has time to spare, one fewer while it is busy, and back', () => {
    let load = 0;
    const slots = new HashingSlots(2, () => load);
    expect(slots.concurrency).toBe(2);

    load = BUSY_MAIN_THREAD;
    slots.adapt();
    expect(slots.concurrency).toBe(1);

    load = BUSY_MAIN_THREAD - 0.01;
    slots.adapt();
    expect(slots.concurrency).toBe(2);
  });

  it('one per core while the load is unknown (no /proc)', () => {
    const slots = new HashingSlots(2, () => undefined);
    slots.adapt();
    expect(slots.concurrency).toBe(2);
  });

  it('never goes below one slot: a single core keeps its one', () => {
    const slots = new HashingSlots(1, () => 1);
    slots.adapt();
    expect(slots.concurrency).toBe(1);
  });

  it('runs no more hashes at once than it has slots, and starts a queued one when a slot frees', async () => {
    let load = 1;
    const slots = new HashingSlots(4, () => load);
    slots.adapt();
    expect(slots.concurrency).toBe(3);
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const hash = () =>
      new Promise<void>((resolve) => {
        running += 1;
        most = Math.max(most, running);
        releases.push(() => {
          running -= 1;
          resolve();
        });
      });
    const all = Promise.all(Array.from({ length: 6 }, () => slots.run(hash)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(3);

    load = 0;
    slots.adapt();
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(4);
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await all;
    expect(most).toBe(4);
  });
});
