import { isClusterControl } from '../evaluate/cluster/evaluate-cluster.js';
import { gatherClusterFacts } from '../facts/cluster-facts.js';
import type { Inventory } from '../inventory/inventory.js';
import type { ApiObjectChange } from '../model/api-object-change.js';
import { isNodeChange, type Change } from '../model/change.js';
import { CisFixError, UserError } from '../model/errors.js';
import type { ClusterInput } from '../plan/assemble-plan.js';
import type { Control } from '../playbook/types.js';
import { openClusterClient, type ClusterClient, type KubeObject, type ServerVersion } from '../transport/cluster-client.js';

/**
 * The cluster side of a plan's I/O (DESIGN.md §2): reach the API, read its
 * facts, and dry-run the planned API changes on the server. Evaluation and
 * planning of the cluster controls are pure (src/plan/assemble-plan.ts).
 */

/** How the plan reached the API server, or why it did not (then every cluster control is "not evaluated" with that reason). */
export type ClusterAccess =
  | { readonly kind: 'connected'; readonly server: string; readonly context: string; readonly version: string }
  | { readonly kind: 'none'; readonly reason: string };

export interface ClusterSession {
  readonly access: ClusterAccess;
  readonly client: ClusterClient | undefined;
  readonly version: ServerVersion | undefined;
}

/** Open the inventory's kubeconfig and ask /version. A missing kubeconfig is not an error: node-side checks go on without the API. */
export async function connectCluster(inventory: Inventory): Promise<ClusterSession> {
  const kubeconfig = inventory.cluster.kubeconfig;
  if (kubeconfig === undefined) {
    return { access: { kind: 'none', reason: 'the inventory names no cluster.kubeconfig, so API checks were skipped' }, client: undefined, version: undefined };
  }
  // A bad kubeconfig or context is the user's error to fix, never a silent fallback (DESIGN.md §3).
  const client = openClusterClient({ kubeconfig, context: inventory.cluster.context });
  try {
    const version = await client.version();
    return { access: { kind: 'connected', server: client.server, context: client.context, version: version.gitVersion }, client, version };
  } catch (error) {
    if (error instanceof UserError) throw error;
    const message = error instanceof CisFixError || error instanceof Error ? error.message : String(error);
    return {
      access: { kind: 'none', reason: `the API server ${client.server} did not answer (${message}), so API checks were skipped` },
      client: undefined,
      version: undefined,
    };
  }
}

/**
 * The cluster's facts for the plan, read through the API once — only when
 * the run has cluster-scoped controls and the API answered (else assembly
 * reports those controls "not evaluated", saying why).
 */
export async function gatherClusterInput(session: ClusterSession, controls: readonly Control[]): Promise<ClusterInput> {
  if (!controls.some(isClusterControl) || session.client === undefined || session.access.kind !== 'connected') return { access: session.access };
  return { access: session.access, facts: await gatherClusterFacts(session.client) };
}

/**
 * Each API change of a plan with the server-side dry run's warnings (or its
 * refusal), so that the plan shows the API server's own warnings (Pod
 * Security: the pods a level would reject). Node changes pass unchanged;
 * the order is kept.
 */
export async function withDryRuns(session: ClusterSession, changes: readonly Change[]): Promise<Change[]> {
  const client = session.client;
  if (client === undefined) return [...changes];
  return Promise.all(changes.map((change) => (isNodeChange(change) ? change : withDryRun(client, change))));
}

/** The server-side dry run's warnings (or the refusal) on the change, for the plan to show. */
async function withDryRun(client: ClusterClient, change: ApiObjectChange): Promise<ApiObjectChange> {
  try {
    const result =
      change.action === 'patch'
        ? await client.patch(change.object, change.patch, { dryRun: true, resourceVersion: change.precondition.resourceVersion })
        : change.action === 'create'
          ? await client.create(change.content as unknown as KubeObject, { dryRun: true })
          : await client.delete(change.object, { dryRun: true, resourceVersion: change.precondition.resourceVersion });
    return { ...change, dryRunWarnings: result.warnings };
  } catch (error) {
    return { ...change, dryRunWarnings: [`the server-side dry run was refused: ${(error as Error).message}`] };
  }
}
