/**
 * Map over items with at most `limit` promises in flight; results keep the
 * order of `items`. A rejected mapper rejects the whole call, so mappers that
 * must not stop the others return their failure as a value instead.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, mapper: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await mapper(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
