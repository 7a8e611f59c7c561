import { hostname, userInfo } from 'node:os';
import type { RunJournal } from '../../model/run-journal.js';
import type { RunOrigin, RunRecord } from '../../model/run-record.js';
import type { StateSecrets } from '../../transport/cluster-client.js';
import type { NodeTransport } from '../../transport/node-transport.js';
import type { JournalMirror } from '../journal.js';
import { writeClusterRecord } from './cluster-records.js';
import { nodeShareOf } from './merge-records.js';
import { writeNodeRecord } from './node-records.js';

/** The user and machine running this cis-fix (recorded with every run). */
export function currentOrigin(): RunOrigin {
  return { user: userInfo().username, host: hostname() };
}

/** What every copy of the record says besides the journal; `baselineReplaced` is filled in when the run ends. */
export interface RecordExtras {
  readonly by: RunOrigin;
  readonly planDigest?: string;
  baselineReplaced?: Record<string, string | null>;
}

function recordOf(journal: RunJournal, extras: RecordExtras): RunRecord {
  return {
    formatVersion: 1,
    journal,
    by: extras.by,
    ...(extras.planDigest !== undefined ? { planDigest: extras.planDigest } : {}),
    ...(extras.baselineReplaced !== undefined ? { baselineReplaced: extras.baselineReplaced } : {}),
  };
}

/**
 * Each node's share of the record, written on the node step by step: after
 * every step recorded for that node (and when the run's status changes),
 * so that a crash of cis-fix leaves every node knowing what was done to it.
 */
export class NodeRecordMirror implements JournalMirror {
  readonly where: string;
  private lastWritten = '';

  constructor(
    private readonly transport: NodeTransport,
    private readonly extras: RecordExtras,
  ) {
    this.where = `node ${transport.node}`;
  }

  async write(journal: RunJournal): Promise<void> {
    const share = nodeShareOf(recordOf(journal, this.extras), this.transport.node);
    const signature = `${share.journal.steps.length}|${journal.status}|${journal.finishedAt ?? ''}|${this.extras.baselineReplaced ? 'b' : ''}`;
    if (signature === this.lastWritten) return;
    await writeNodeRecord(this.transport, share);
    this.lastWritten = signature;
  }
}

/**
 * The whole record in the cluster (a Secret in namespace cis-fix), written
 * while the run holds the Lease: at the start, at most every `intervalMs`
 * while it runs (the nodes hold every step meanwhile), and at the end.
 */
export class ClusterRecordMirror implements JournalMirror {
  readonly where = 'the cluster';
  private lastAt = 0;

  constructor(
    private readonly state: StateSecrets,
    private readonly extras: RecordExtras,
    private readonly intervalMs = 2000,
    private readonly now = () => Date.now(),
  ) {}

  async write(journal: RunJournal): Promise<void> {
    const running = journal.finishedAt === undefined;
    if (running && this.lastAt !== 0 && this.now() - this.lastAt < this.intervalMs) return;
    await writeClusterRecord(this.state, recordOf(journal, this.extras));
    this.lastAt = this.now();
  }
}
