import type { MergedRun } from './merge-records.js';

/** Which old runs to remove: `keep` the newest N, and/or those started more than `olderThanMs` ago. */
export interface PruneRule {
  readonly keep?: number;
  readonly olderThanMs?: number;
}

export interface PruneSelection {
  readonly prune: readonly MergedRun[];
  /** Runs the rule would remove but that must stay, and why. */
  readonly spared: readonly { readonly runId: string; readonly reason: string }[];
}

/** The nodes a run touched: those with steps or a backup directory in its journal. */
export function nodesOfRun(run: MergedRun): string[] {
  return [...new Set([...Object.keys(run.journal.backups), ...run.journal.steps.map((s) => s.node)])].filter((n) => n !== 'cluster' && n !== '*');
}

/**
 * The runs `rule` removes (DESIGN.md §7 retention), never: a run still
 * running, or the newest run of any node (its backups are what a rollback
 * of that node needs). Pure; `runs` newest first.
 */
export function selectRunsToPrune(runs: readonly MergedRun[], rule: PruneRule, now: Date): PruneSelection {
  const lastOfNode = new Map<string, string>();
  for (const run of runs) for (const node of nodesOfRun(run)) if (!lastOfNode.has(node)) lastOfNode.set(node, run.journal.runId);
  const protectedRuns = new Map<string, string[]>();
  for (const [node, runId] of lastOfNode) protectedRuns.set(runId, [...(protectedRuns.get(runId) ?? []), node]);
  const prune: MergedRun[] = [];
  const spared: { runId: string; reason: string }[] = [];
  runs.forEach((run, index) => {
    const byCount = rule.keep !== undefined && index >= rule.keep;
    const byAge = rule.olderThanMs !== undefined && now.getTime() - Date.parse(run.journal.startedAt) > rule.olderThanMs;
    if (!byCount && !byAge) return;
    const lastFor = protectedRuns.get(run.journal.runId);
    if (run.journal.finishedAt === undefined && run.journal.status === 'running')
      spared.push({ runId: run.journal.runId, reason: 'it has not finished (running, or interrupted: roll it back first)' });
    else if (lastFor) spared.push({ runId: run.journal.runId, reason: `it is the last run of ${lastFor.join(', ')}` });
    else prune.push(run);
  });
  return { prune, spared };
}
