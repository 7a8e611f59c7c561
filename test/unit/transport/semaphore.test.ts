import { mapConcurrent, Semaphore } from '../../../src/transport/semaphore.js';

describe('Semaphore', () => {
  it('never runs more tasks at once than it has permits, and runs them all', async () => {
    const semaphore = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const task = async (i: number) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 + (i % 3)));
      running -= 1;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => semaphore.run(() => task(i))));
    expect(peak).toBe(2);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('releases the permit when a task fails', async () => {
    const semaphore = new Semaphore(1);
    await expect(
      semaphore.run(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(semaphore.run(async () => 'next')).resolves.toBe('next');
  });
});

describe('mapConcurrent', () => {
  it('keeps the order of the items, starts them in order and never exceeds the limit', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await mapConcurrent([5, 1, 4, 2, 3, 0], 3, async (item, index) => {
      started.push(index);
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, item));
      running -= 1;
      return item * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(3);
  });

  it('runs one at a time below a limit of one, and returns nothing for no items', async () => {
    let running = 0;
    let peak = 0;
    await mapConcurrent([1, 2, 3], 0, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 1));
      running -= 1;
    });
    expect(peak).toBe(1);
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
  });

  it("rejects with a failing mapper's error", async () => {
    await expect(
      mapConcurrent([1, 2], 2, async (i) => {
        if (i === 2) throw new Error('boom');
        return i;
      }),
    ).rejects.toThrow('boom');
  });
});
