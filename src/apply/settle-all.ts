/**
 * Like Promise.all, but waits for every promise to settle before rejecting
 * with the first failure. The executor needs this: a node lock still being
 * taken, or a backup still being written, when another node fails must be
 * finished before locks are released, or it would be left behind.
 */
export async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
