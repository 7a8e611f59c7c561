import { gunzipSync, gzipSync } from 'node:zlib';
import type { Baseline } from '../../plan/drift.js';
import type { RunRecord } from '../../model/run-record.js';
import type { KubeObject, StateSecrets } from '../../transport/cluster-client.js';

/**
 * The cluster's copy of cis-fix's state (DESIGN.md §7), as Terraform's
 * kubernetes backend keeps its state: Secrets in the namespace `cis-fix`,
 * labelled, one per run (`run-<run id>`) plus `baseline`. The payload is
 * gzipped JSON: a Secret holds at most 1 MiB, and a record of a large run is
 * mostly repeated paths. A record too large even so keeps its header and
 * drops the steps — each node keeps its own steps (node-records.ts).
 */

const MANAGED = { 'app.kubernetes.io/managed-by': 'cis-fix' };
export const RECORD_LABEL = 'cis-fix.io/record';
const PAYLOAD = 'record.json.gz';
/** Below the API server's 1 MiB object limit, with room for metadata and base64's 4/3. */
const MAX_GZIPPED_BYTES = 700 * 1024;

export function runSecretName(runId: string): string {
  return `run-${runId.toLowerCase()}`;
}

function encode(value: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(value), 'utf8')).toString('base64');
}

function decode(secret: KubeObject): string {
  const data = (secret as { data?: Record<string, string> }).data?.[PAYLOAD];
  if (data === undefined) throw new Error(`secret ${secret.metadata.name} has no ${PAYLOAD}`);
  return gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
}

/** Create or update the run's Secret. */
export async function writeClusterRecord(state: StateSecrets, record: RunRecord): Promise<void> {
  let payload = encode(record);
  if ((payload.length * 3) / 4 > MAX_GZIPPED_BYTES) payload = encode({ ...record, journal: { ...record.journal, steps: [] }, stepsOnNodes: true });
  const name = runSecretName(record.journal.runId);
  const existing = await state.get(name);
  await state.put({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      labels: { ...MANAGED, [RECORD_LABEL]: 'run', 'cis-fix.io/run-kind': record.journal.kind, 'cis-fix.io/run-id': record.journal.runId },
      ...(existing?.metadata.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
    },
    type: 'Opaque',
    data: { [PAYLOAD]: payload },
  });
}

/** Every run record the cluster holds, as raw JSON texts with where they came from (the caller validates them). */
export async function readClusterRecords(state: StateSecrets): Promise<{ readonly file: string; readonly text: string }[]> {
  const secrets = await state.list(`${RECORD_LABEL}=run`);
  return secrets.map((secret) => ({ file: `secret cis-fix/${secret.metadata.name}`, text: decode(secret) }));
}

export async function deleteClusterRecord(state: StateSecrets, runId: string): Promise<void> {
  await state.delete(runSecretName(runId));
}

export async function readClusterBaseline(state: StateSecrets): Promise<string | undefined> {
  const secret = await state.get('baseline');
  return secret ? decode(secret) : undefined;
}

export async function writeClusterBaseline(state: StateSecrets, baseline: Baseline): Promise<void> {
  const existing = await state.get('baseline');
  await state.put({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'baseline',
      labels: { ...MANAGED, [RECORD_LABEL]: 'baseline' },
      ...(existing?.metadata.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
    },
    type: 'Opaque',
    data: { [PAYLOAD]: encode(baseline) },
  });
}
