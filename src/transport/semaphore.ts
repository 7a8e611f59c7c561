/**
 * The one concurrency limiter (issue 9 §5): limits how many async tasks run
 * at once; waiters are served in arrival order. The SSH transport bounds
 * the channels of one connection with it, and mapConcurrent bounds how many
 * nodes a run works on at once. (apply's settleAll is not a limiter: it
 * waits for every promise to settle before it rejects.)
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly permits: number) {
    if (permits < 1) throw new RangeError('a semaphore needs at least one permit');
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.permits) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the permit passes straight to the next waiter
      else this.active -= 1;
    }
  }
}

/**
 * Map over items with at most `limit` mappers in flight (the run's
 * --concurrency), on the same Semaphore; results keep the order of `items`
 * and mappers start in that order. A rejected mapper rejects the whole call
 * (the others still run to the end), so mappers that must not stop the
 * others return their failure as a value instead.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, mapper: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const semaphore = new Semaphore(Math.max(1, Math.floor(limit) || 1));
  return Promise.all(items.map((item, index) => semaphore.run(() => mapper(item, index))));
}
