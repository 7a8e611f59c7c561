import type { Role } from '../model/roles.js';

/** Control-plane (and etcd) nodes one per batch, in the given order; then workers `concurrency` at a time (DESIGN.md §2). */
export function writeOrder(nodes: readonly string[], roles: ReadonlyMap<string, readonly Role[]>, concurrency: number): string[][] {
  const isControlPlane = (n: string) => (roles.get(n) ?? []).some((r) => r === 'control-plane' || r === 'etcd');
  const batches: string[][] = nodes.filter(isControlPlane).map((n) => [n]);
  const workers = nodes.filter((n) => !isControlPlane(n));
  for (let i = 0; i < workers.length; i += Math.max(1, concurrency)) batches.push(workers.slice(i, i + Math.max(1, concurrency)));
  return batches;
}
