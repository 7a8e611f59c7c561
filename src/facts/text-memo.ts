/**
 * Remember the result of a pure function of a text (a parsed YAML file) for
 * the last `limit` texts. Planning reads the same kubelet config and
 * manifest many times — once per control, once per simulated edit — and
 * YAML parsing dominated `cis-fix plan`'s CPU time. Callers must treat the
 * result as read-only: it is shared.
 */
export function memoByText<T>(compute: (text: string) => T, limit = 64): (text: string) => T {
  const cache = new Map<string, T>();
  return (text: string): T => {
    const hit = cache.get(text);
    if (hit !== undefined || cache.has(text)) {
      // Most recently used last, so that eviction drops the oldest.
      cache.delete(text);
      cache.set(text, hit as T);
      return hit as T;
    }
    const value = compute(text);
    cache.set(text, value);
    if (cache.size > limit) cache.delete(cache.keys().next().value as string);
    return value;
  };
}
