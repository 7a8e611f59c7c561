import type { Baseline } from '../../plan/drift.js';
import type { RunRecord } from '../../model/run-record.js';
import type { NodeTransport } from '../../transport/node-transport.js';
import { runScript } from '../node-ops.js';
import { NODE_STATE_DIR } from '../node-scripts.js';

/**
 * The node's share of cis-fix's state (DESIGN.md §7): next to the backups in
 * /var/lib/cis-fix, `runs/<run-id>.json` holds the record of every run that
 * touched the node with that node's steps, and `baseline.json` what cis-fix
 * enforced on it. Root-owned, 0700 directories and 0600 files; written
 * through a temp file and a rename, so a reader never sees half a record.
 */

export const NODE_RUNS_DIR = `${NODE_STATE_DIR}/runs`;
export const NODE_BASELINE_FILE = `${NODE_STATE_DIR}/baseline.json`;

/** $1 = file name under runs/ (or "-" for baseline.json); the JSON on stdin. */
const WRITE_STATE_FILE = `set -u
umask 077
state=${NODE_STATE_DIR}
mkdir -p "$state/runs" && chmod 700 "$state" "$state/runs" && chown 0:0 "$state" "$state/runs" || exit 70
if [ "$1" = - ]; then f="$state/baseline.json"; else f="$state/runs/$1"; fi
tmp="$f.$$.tmp"
cat > "$tmp" && [ -s "$tmp" ] || { rm -f -- "$tmp"; echo "cannot write $f (disk full?)" >&2; exit 73; }
sync -- "$tmp" 2>/dev/null || sync
mv -f -- "$tmp" "$f" || { rm -f -- "$tmp"; exit 73; }
`;

/** Prints every record and the baseline, each as "name NUL json NUL" (JSON never holds a NUL). */
const READ_STATE_FILES = `set -u
state=${NODE_STATE_DIR}
for f in "$state"/runs/*.json "$state"/baseline.json; do
  [ -f "$f" ] || continue
  printf '%s\\0' "\${f##*/}"
  cat -- "$f"
  printf '\\0'
done
exit 0
`;

/** $@ = run ids: removes their backups and records. */
const PRUNE_RUNS = `set -u
state=${NODE_STATE_DIR}
for id in "$@"; do
  case "$id" in */*|.*|'') echo "not a run id: $id" >&2; exit 64 ;; esac
  rm -rf -- "$state/backups/$id" "$state/runs/$id.json" || exit 75
done
`;

/** Run ids are `<UTC stamp>-<hex>`; anything else never becomes a file name. */
const RUN_ID = /^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$/;

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

export async function writeNodeRecord(transport: NodeTransport, record: RunRecord): Promise<void> {
  if (!isRunId(record.journal.runId)) throw new RangeError(`not a run id: ${JSON.stringify(record.journal.runId)}`);
  await runScript(transport, 'recording the run', WRITE_STATE_FILE, [`${record.journal.runId}.json`], `${JSON.stringify(record)}\n`);
}

export async function writeNodeBaseline(transport: NodeTransport, baseline: Baseline): Promise<void> {
  await runScript(transport, 'recording the baseline', WRITE_STATE_FILE, ['-'], `${JSON.stringify(baseline)}\n`);
}

/** What a node holds: its run records and its baseline, as raw JSON texts (the caller validates them). */
export interface NodeStateFiles {
  readonly records: readonly { readonly file: string; readonly text: string }[];
  readonly baseline: string | undefined;
}

export async function readNodeState(transport: NodeTransport): Promise<NodeStateFiles> {
  const out = (await runScript(transport, 'reading cis-fix state', READ_STATE_FILES, [])).toString('utf8');
  const parts = out.split('\0');
  const records: { file: string; text: string }[] = [];
  let baseline: string | undefined;
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const name = parts[i]!;
    const text = parts[i + 1]!;
    if (name === 'baseline.json') baseline = text;
    else records.push({ file: `${transport.node}:${NODE_RUNS_DIR}/${name}`, text });
  }
  return { records, baseline };
}

export async function pruneNodeRuns(transport: NodeTransport, runIds: readonly string[]): Promise<void> {
  if (runIds.length === 0) return;
  for (const id of runIds) if (!isRunId(id)) throw new RangeError(`not a run id: ${JSON.stringify(id)}`);
  await runScript(transport, 'pruning old runs', PRUNE_RUNS, runIds);
}
