import { CisFixError } from '../model/errors.js';
import { ClusterConflictError } from '../model/cluster-errors.js';
import type { ClusterClient, KubeObject } from '../transport/cluster-client.js';

/**
 * The cluster-wide apply lock (DESIGN.md §2 apply protocol step 1): a
 * coordination.k8s.io Lease `kube-system/cis-fix` naming the holder, renewed
 * while the run lasts. A Lease whose renewTime + duration has passed belongs
 * to a run that died and is taken over; the node locks stay the fallback
 * without API access. Every write carries the resourceVersion it read, so
 * two runs racing for the Lease cannot both win.
 */
export const LEASE_NAMESPACE = 'kube-system';
export const LEASE_NAME = 'cis-fix';
const DURATION_SECONDS = 60;

export class ClusterLockHeldError extends CisFixError {
  readonly exitCode = 1;
  constructor(
    readonly holder: string,
    readonly until: string,
  ) {
    super(`another cis-fix run holds the cluster lock (Lease ${LEASE_NAMESPACE}/${LEASE_NAME}): ${holder}`, [
      `Wait for that run to finish (the lease expires at ${until} unless it is renewed). If that run died, the lease expires by itself within ${DURATION_SECONDS}s.`,
    ]);
  }
}

export interface ClusterLease {
  /** Stop renewing and give the lease up (it is deleted when still ours). */
  release(): Promise<void>;
}

export async function acquireClusterLease(client: ClusterClient, holder: string, now: () => Date = () => new Date()): Promise<ClusterLease> {
  const existing = await client.getLease(LEASE_NAMESPACE, LEASE_NAME);
  let lease: KubeObject;
  try {
    if (!existing) {
      lease = await client.createLease(leaseObject(holder, now(), undefined, now()));
    } else {
      const held = heldBy(existing, now());
      if (held && held.holder !== holder) throw new ClusterLockHeldError(held.holder, held.until);
      lease = await client.replaceLease(leaseObject(holder, now(), existing.metadata.resourceVersion, now()));
    }
  } catch (error) {
    // Someone else created or renewed it between our read and our write.
    if (error instanceof ClusterConflictError) {
      const winner = await client.getLease(LEASE_NAMESPACE, LEASE_NAME);
      const held = winner ? heldBy(winner, now()) : undefined;
      throw new ClusterLockHeldError(held?.holder ?? 'another run (it took the lease just now)', held?.until ?? 'unknown');
    }
    throw error;
  }
  const acquired = now();
  let stopped = false;
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(
    () => {
      renewing = renewing.then(async () => {
        if (stopped) return;
        try {
          lease = await client.replaceLease(leaseObject(holder, acquired, lease.metadata.resourceVersion, now()));
        } catch {
          // A missed renewal is retried on the next tick; the lease lasts DURATION_SECONDS.
        }
      });
    },
    (DURATION_SECONDS / 3) * 1000,
  );
  timer.unref();
  return {
    async release() {
      stopped = true;
      clearInterval(timer);
      await renewing;
      await client
        .delete(
          { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: LEASE_NAMESPACE, name: LEASE_NAME },
          { dryRun: false, resourceVersion: lease.metadata.resourceVersion },
        )
        .catch(() => undefined);
    },
  };
}

/** Who holds an unexpired lease, or undefined when it is free. Pure. */
export function heldBy(lease: KubeObject, now: Date): { holder: string; until: string } | undefined {
  const spec = (lease['spec'] ?? {}) as { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
  if (!spec.holderIdentity) return undefined;
  const renewed = Date.parse(spec.renewTime ?? '');
  const until = renewed + (spec.leaseDurationSeconds ?? DURATION_SECONDS) * 1000;
  if (!Number.isFinite(until) || until <= now.getTime()) return undefined;
  return { holder: spec.holderIdentity, until: new Date(until).toISOString() };
}

function leaseObject(holder: string, acquired: Date, resourceVersion: string | undefined, renewed: Date): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE_NAME, namespace: LEASE_NAMESPACE, ...(resourceVersion ? { resourceVersion } : {}) },
    // MicroTime: RFC 3339 with microseconds.
    spec: { holderIdentity: holder, leaseDurationSeconds: DURATION_SECONDS, acquireTime: microTime(acquired), renewTime: microTime(renewed) },
  };
}

function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
