import { evaluateCluster, isClusterControl } from '../evaluate/cluster/evaluate-cluster.js';
import { gatherClusterFacts } from '../facts/cluster-facts.js';
import type { Inventory } from '../inventory/inventory.js';
import type { ApiObjectChange } from '../model/api-object-change.js';
import { CisFixError, UserError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { planApiObjects } from '../plan/api-object-plan.js';
import { resolveParameters } from '../playbook/parameter-value.js';
import type { Benchmark, Control } from '../playbook/types.js';
import { openClusterClient, type ClusterClient, type KubeObject, type ServerVersion } from '../transport/cluster-client.js';

/**
 * The cluster side of a plan (DESIGN.md §2: facts over the API → evaluate →
 * api-object changes): the I/O shell around the pure evaluators.
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
    return { access: { kind: 'none', reason: `the API server ${client.server} did not answer (${message}), so API checks were skipped` }, client: undefined, version: undefined };
  }
}

export interface ClusterPlan {
  readonly findings: readonly Finding[];
  readonly changes: readonly ApiObjectChange[];
}

/**
 * Cluster-scoped controls: evaluated from the API's objects and planned as
 * api-object changes, each dry-run on the server so that the plan shows the
 * API server's own warnings (Pod Security: the pods a level would reject).
 * Without API access: a "not evaluated" finding per control, saying why.
 */
export async function planCluster(session: ClusterSession, benchmark: Benchmark, controls: readonly Control[], inventory: Inventory): Promise<ClusterPlan> {
  const clusterControls = controls.filter(isClusterControl);
  if (clusterControls.length === 0) return { findings: [], changes: [] };
  if (session.client === undefined || session.access.kind !== 'connected') {
    const reason = session.access.kind === 'none' ? session.access.reason : 'no API access';
    return { findings: clusterControls.map((c) => notEvaluated(c, reason)), changes: [] };
  }
  const { values: parameters, problems } = resolveParameters(benchmark, inventory.parameters);
  if (problems.length) {
    throw new UserError(`the inventory's parameters do not fit ${benchmark.id}:`, problems.map((message) => ({ location: undefined, message, fix: undefined })), [
      `See the parameters with 'cis-fix controls show ID --benchmark ${benchmark.id}' or playbooks/${benchmark.id}/parameters.yaml.`,
    ]);
  }
  const facts = await gatherClusterFacts(session.client);
  const ctx = { benchmark: benchmark.id, facts, parameters };
  const planned = planApiObjects(clusterControls, ctx, evaluateCluster(clusterControls, ctx));
  const changes = await Promise.all(planned.changes.map((change) => withDryRun(session.client!, change)));
  return { findings: planned.findings, changes };
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

function notEvaluated(control: Control, reason: string): Finding {
  return {
    controlId: control.id,
    node: undefined,
    status: 'manual',
    title: control.title,
    expected: 'checked through the Kubernetes API',
    actual: `not evaluated: ${reason}`,
    fixable: false,
    notFixableReason: `${reason}; set cluster.kubeconfig (and cluster.context) in the inventory to check it`,
    kubeBench: undefined,
    notEvaluated: true,
  };
}
