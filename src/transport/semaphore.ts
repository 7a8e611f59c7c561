/** Limits how many async tasks run at once; waiters are served in arrival order. */
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
      if (next) next(); // the permit passes straight to the next waiter
      else this.active -= 1;
    }
  }
}
