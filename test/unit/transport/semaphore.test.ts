import { Semaphore } from '../../../src/transport/semaphore.js';

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
    await expect(semaphore.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(semaphore.run(async () => 'next')).resolves.toBe('next');
  });
});
