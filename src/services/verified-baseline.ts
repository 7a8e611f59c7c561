import type { Change } from '../model/change.js';
import type { Finding } from '../model/finding.js';
import type { Plan } from '../plan/plan.js';
import type { KubeBenchTarget } from '../playbook/types.js';
import { makePlan } from './plan.js';

/**
 * After a successful apply, what the baseline may record: only what
 * evaluation on facts gathered AFTER the run says complies (DESIGN.md §7).
 * The changed nodes (and the cluster) are gathered and evaluated again; the
 * plan's findings come back without those that do not pass now. A control
 * the run meant to fix that does not comply now is not recorded; its
 * `node control` pairs are returned as `unverified`, for the command to say so.
 */
export async function verifyOnFreshFacts(
  plan: Plan,
  applied: readonly Change[],
  inventoryFile: string,
  concurrency: number,
): Promise<{ readonly findings: readonly Finding[]; readonly unverified: readonly string[]; readonly recheckFailed?: string }> {
  const changedNodes = [...new Set(applied.flatMap((c) => (c.node === undefined ? [] : [c.node])))];
  const regathered = changedNodes.length > 0 ? changedNodes : plan.selection.nodes;
  let after: Plan | undefined;
  let recheckFailed: string | undefined;
  try {
    after = (
      await makePlan({
        inventoryFile,
        benchmark: plan.benchmark.id,
        targets: plan.selection.targets as readonly KubeBenchTarget[],
        only: plan.selection.only,
        skip: plan.selection.skip,
        nodes: regathered,
        concurrency,
      })
    ).plan;
  } catch (error) {
    after = undefined; // nothing this run did can be verified: nothing of it is recorded
    recheckFailed = (error as Error).message;
  }
  const verified = verifiedFindings(plan, after, new Set(regathered));
  const appliedIds = new Set(applied.map((c) => c.id));
  const meant = plan.findings.filter(
    (f) => f.status === 'fail' && f.fixable && plan.changes.some((c) => appliedIds.has(c.id) && c.node === f.node && c.controlIds.includes(f.controlId)),
  );
  const kept = new Set(verified.findings);
  const unverified = meant.filter((f) => !kept.has(f)).map((f) => `${f.node ?? 'cluster'} ${f.controlId}`);
  return { findings: verified.findings, unverified, ...(recheckFailed === undefined ? {} : { recheckFailed }) };
}

/**
 * The plan's findings, without those on re-gathered nodes (and the cluster)
 * that do not pass on the facts after the run. Pure.
 */
export function verifiedFindings(plan: Plan, after: Plan | undefined, regathered: ReadonlySet<string>): { findings: Finding[] } {
  const key = (f: Finding) => `${f.node ?? ''}\u0000${f.controlId}`;
  const passing = new Set((after?.findings ?? []).filter((f) => f.status === 'pass').map(key));
  const checked = (f: Finding) => f.node === undefined || regathered.has(f.node);
  return { findings: plan.findings.filter((f) => !checked(f) || passing.has(key(f))) };
}
