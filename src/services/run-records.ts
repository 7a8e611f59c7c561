import { createHash } from 'node:crypto';
import { listJournals, type JournalWriter } from '../apply/journal.js';
import { ClusterRecordMirror, NodeRecordMirror, type RecordExtras } from '../apply/records/record-mirrors.js';
import type { Change } from '../model/change.js';
import { readBaseline, writeBaseline } from '../apply/baseline-store.js';
import { readClusterBaseline, readClusterRecords, writeClusterBaseline } from '../apply/records/cluster-records.js';
import { mergeRunRecords, type MergedRun, type SeenRecord } from '../apply/records/merge-records.js';
import { readNodeState, writeNodeBaseline } from '../apply/records/node-records.js';
import { parseBaselineRecord, parseRunRecord } from '../apply/records/parse-record.js';
import type { Inventory } from '../inventory/inventory.js';
import type { RunRecord } from '../model/run-record.js';
import { mergeBaselines, baselineShareOf, type Baseline } from '../plan/drift.js';
import { openClusterClient, type StateSecrets } from '../transport/cluster-client.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { withNodeSessions } from './node-sessions.js';

/**
 * cis-fix's state wherever it lives (DESIGN.md §7): the workstation's state
 * directory (a cache), the cluster (Secrets in namespace cis-fix, with a
 * kubeconfig) and the nodes (/var/lib/cis-fix). Reading merges the three;
 * a place that cannot be reached is named, never fatal for the others.
 */

/** A place that could not be read, and why. */
export interface StateProblem {
  readonly where: string;
  readonly message: string;
}

export interface StateSnapshot {
  readonly runs: readonly MergedRun[];
  readonly baseline: Baseline;
  readonly problems: readonly StateProblem[];
  /** The nodes that answered (their state is part of the snapshot). */
  readonly nodesRead: readonly string[];
}

/** The cluster's state store for an inventory with a kubeconfig, else undefined. */
export function clusterStateOf(inventory: Inventory): StateSecrets | undefined {
  if (inventory.cluster.kubeconfig === undefined) return undefined;
  return openClusterClient({ kubeconfig: inventory.cluster.kubeconfig, context: inventory.cluster.context }).state;
}

/**
 * Read runs and the baseline from the state directory and, with an
 * inventory, from the cluster and from `nodes` (default: every node of the
 * inventory), merged.
 */
export async function readStateEverywhere(
  inventory: Inventory | undefined,
  options: { readonly concurrency: number; readonly nodes?: readonly string[] },
): Promise<StateSnapshot> {
  const seen: SeenRecord[] = (await listJournals()).map((journal) => ({ source: { kind: 'local' }, journal }));
  const baselines: { baseline: Baseline; node?: string }[] = [{ baseline: await readBaseline() }];
  const problems: StateProblem[] = [];
  const nodesRead: string[] = [];
  if (inventory) {
    const state = clusterStateOf(inventory);
    if (state) {
      try {
        for (const { file, text } of await readClusterRecords(state)) {
          const parsed = parseRunRecord(text, file);
          if (parsed.ok) seen.push({ source: { kind: 'cluster' }, ...recordFields(parsed.value) });
          else problems.push({ where: 'the cluster', message: parsed.problem });
        }
        const text = await readClusterBaseline(state);
        if (text !== undefined) {
          const parsed = parseBaselineRecord(text, 'secret cis-fix/baseline');
          if (parsed.ok) baselines.push({ baseline: parsed.value });
          else problems.push({ where: 'the cluster', message: parsed.problem });
        }
      } catch (error) {
        problems.push({ where: 'the cluster', message: (error as Error).message });
      }
    }
    const wanted = inventory.nodes.filter((n) => options.nodes === undefined || options.nodes.includes(n.name));
    const outcomes = await withNodeSessions(wanted, { concurrency: options.concurrency }, (transport) => readNodeState(transport));
    for (const outcome of outcomes) {
      if (!outcome.ok) {
        problems.push({ where: `node ${outcome.node}`, message: outcome.error.message });
        continue;
      }
      nodesRead.push(outcome.node);
      for (const { file, text } of outcome.value.records) {
        const parsed = parseRunRecord(text, file);
        if (parsed.ok) seen.push({ source: { kind: 'node', node: outcome.node }, ...recordFields(parsed.value) });
        else problems.push({ where: `node ${outcome.node}`, message: parsed.problem });
      }
      if (outcome.value.baseline !== undefined) {
        const parsed = parseBaselineRecord(outcome.value.baseline, `${outcome.node}:/var/lib/cis-fix/baseline.json`);
        if (parsed.ok) baselines.push({ baseline: parsed.value, node: outcome.node });
        else problems.push({ where: `node ${outcome.node}`, message: parsed.problem });
      }
    }
  }
  return { runs: mergeRunRecords(seen), baseline: mergeBaselines(baselines), problems, nodesRead };
}

function recordFields(record: RunRecord): Omit<SeenRecord, 'source'> {
  return {
    journal: record.journal,
    by: record.by,
    ...(record.planDigest !== undefined ? { planDigest: record.planDigest } : {}),
    ...(record.baselineReplaced !== undefined ? { baselineReplaced: record.baselineReplaced } : {}),
  };
}

/**
 * Write the baseline to every place that keeps it: the state directory, the
 * cluster (when `state` is given: the caller holds the Lease) and each node
 * in `transports` (its share). Returns the places that failed.
 */
export async function writeBaselineEverywhere(
  baseline: Baseline,
  state: StateSecrets | undefined,
  transports: ReadonlyMap<string, NodeTransport>,
): Promise<StateProblem[]> {
  await writeBaseline(baseline);
  const problems: StateProblem[] = [];
  if (state) await writeClusterBaseline(state, baseline).catch((error: Error) => problems.push({ where: 'the cluster', message: error.message }));
  await Promise.all(
    [...transports].map(([node, transport]) =>
      writeNodeBaseline(transport, baselineShareOf(baseline, node)).catch((error: Error) => problems.push({ where: `node ${node}`, message: error.message })),
    ),
  );
  return problems;
}

/**
 * The baseline as a run sees it before changing it: the state directory's,
 * the cluster's and the shares of the nodes it has connections to, merged —
 * so that a run from a fresh machine builds on what others enforced.
 */
export async function readBaselineForRun(state: StateSecrets | undefined, transports: ReadonlyMap<string, NodeTransport>): Promise<Baseline> {
  const copies: { baseline: Baseline; node?: string }[] = [{ baseline: await readBaseline() }];
  if (state) {
    const text = await readClusterBaseline(state).catch(() => undefined);
    const parsed = text === undefined ? undefined : parseBaselineRecord(text, 'secret cis-fix/baseline');
    if (parsed?.ok) copies.push({ baseline: parsed.value });
  }
  await Promise.all(
    [...transports].map(async ([node, transport]) => {
      const files = await readNodeState(transport).catch(() => undefined);
      const parsed = files?.baseline === undefined ? undefined : parseBaselineRecord(files.baseline, `${node}:/var/lib/cis-fix/baseline.json`);
      if (parsed?.ok) copies.push({ baseline: parsed.value, node });
    }),
  );
  return mergeBaselines(copies);
}

/**
 * Keep the run's record on each of `nodes` (step by step) and, when `state`
 * is given (the run holds the Lease), in the cluster.
 */
export async function mirrorRunRecord(
  journal: JournalWriter,
  transports: ReadonlyMap<string, NodeTransport>,
  nodes: readonly string[],
  state: StateSecrets | undefined,
  extras: RecordExtras,
): Promise<void> {
  for (const node of nodes) {
    const transport = transports.get(node);
    if (transport) await journal.addMirror(new NodeRecordMirror(transport, extras));
  }
  if (state) await journal.addMirror(new ClusterRecordMirror(state, extras));
}

/** sha256 of the changes a run applies (the record's planDigest): the same reviewed changes give the same digest. */
export function digestOfChanges(changes: readonly Change[]): string {
  return createHash('sha256').update(JSON.stringify(changes)).digest('hex');
}
