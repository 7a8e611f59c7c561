import type { RunJournal } from './run-journal.js';

/**
 * A run as it is kept with the nodes and the cluster (DESIGN.md §7 "State
 * lives with the cluster"): its journal, who ran it from where, the digest
 * of the plan it applied, and the drift-baseline entries it replaced (so a
 * rollback can put the baseline back as it was before the run).
 *
 * The workstation's runs/<id>.json stays the bare journal (a cache); each
 * node keeps the record with only its own steps; the cluster keeps the whole
 * record. Records hold paths, hashes, modes and owners — never contents.
 */
export interface RunRecord {
  readonly formatVersion: 1;
  readonly journal: RunJournal;
  readonly by: RunOrigin;
  /** sha256 of the applied plan's changes (apply runs), to tell which reviewed plan a run applied. */
  readonly planDigest?: string;
  /** Baseline key → the run that had enforced it before this run (null: nobody). */
  readonly baselineReplaced?: Readonly<Record<string, string | null>>;
}

/** Who ran a run, and from which machine. */
export interface RunOrigin {
  readonly user: string;
  readonly host: string;
}

/** Where a run was seen: the local state directory, the cluster, or a node (by inventory name). */
export type RecordSource = { readonly kind: 'local' } | { readonly kind: 'cluster' } | { readonly kind: 'node'; readonly node: string };

export function describeSource(source: RecordSource): string {
  return source.kind === 'node' ? `node ${source.node}` : source.kind;
}
