import { quoteShellArg } from '../transport/shell-quote.js';
import { backupCopyOf } from './kinds/file-target.js';
import { nodeHandlerOfKind } from './kinds/registry.js';
import type { GateOutcome, RestoreReport, TargetOutcome } from './restore-engine.js';

/**
 * True restore messages (issue 10 §5), pure: per target what actually
 * happened, and for everything that did not work out, commands that work
 * (`rm -f --` for files the run created, the real backup path, the real
 * owner and mode). Nothing here claims a lock stays: locks are released by
 * the caller and reported only if that failed.
 */

/** One line per target: `restored cp-1:/etc/x`, `removed …`, `FAILED …: why`. */
export function describeTargets(report: RestoreReport): string[] {
  return report.nodes.flatMap((n) => n.targets.map((t) => `${label(t)} ${n.node}:${t.item.target}${t.why ? `: ${t.why}` : ''}`));
}

function label(t: TargetOutcome): string {
  switch (t.action) {
    case 'restored':
      return 'restored';
    case 'removed':
      return 'removed (the run created it)';
    case 'reverted':
      return 'reverted';
    case 'already-original':
      return 'already original';
    case 'changed-since':
      return 'NOT restored (changed after the run)';
    case 'failed':
      return 'FAILED to restore';
    default: {
      const never: never = t.action;
      return never;
    }
  }
}

/** What is wrong after the restore, one line each (empty when it restored cleanly). */
export function describeProblems(report: RestoreReport): string[] {
  return report.nodes.flatMap((n) => [
    ...n.targets.filter((t) => t.action === 'failed').map((t) => `${n.node}:${t.item.target} could not be restored: ${t.why ?? 'unknown error'}`),
    ...n.gates.filter((g) => !g.ok).map((g) => `${n.node}: ${g.component} did not come back healthy after the restore: ${g.detail ?? 'unhealthy'}`),
    ...n.gatesSkipped.map((c) => `${n.node}: ${c} was not restarted or health-checked, because a target of the node could not be restored`),
    ...n.leftovers.map((p) => `${n.node}: the run's temp file ${p} could not be removed`),
  ]);
}

/** Working commands, for root on each node, that finish what the restore could not. */
export function manualSteps(report: RestoreReport): string[] {
  return report.nodes.flatMap((n) => {
    const steps: string[] = [];
    for (const t of n.targets.filter((x) => x.action === 'failed')) {
      for (const command of nodeHandlerOfKind(t.item.kind).manualRestore(t.item, report.backupRun)) steps.push(`On ${n.node} as root: ${command}`);
    }
    for (const g of n.gates.filter((x) => !x.ok)) steps.push(gateStep(n.node, g, report.backupRun));
    for (const c of n.gatesSkipped) {
      steps.push(
        c === 'kubelet'
          ? `On ${n.node} as root, after restoring the files above: systemctl daemon-reload && systemctl restart kubelet`
          : `On ${n.node}: after restoring the files above, check that ${c} runs and is healthy (the kubelet restarts it by itself)`,
      );
    }
    for (const p of n.leftovers) steps.push(`On ${n.node} as root: rm -f -- ${quoteShellArg(p)}`);
    return steps;
  });
}

function gateStep(node: string, g: GateOutcome, backupRun: string): string {
  const compare = g.targets.map((t) => `cmp -- ${quoteShellArg(backupCopyOf(backupRun, t))} ${quoteShellArg(t)}`).join(' && ');
  if (g.component === 'kubelet') {
    return `On ${node} as root: the kubelet's files are restored (check: ${compare}); systemctl daemon-reload && systemctl restart kubelet && journalctl -u kubelet -n 50`;
  }
  return `On ${node} as root: ${g.targets.join(', ')} is restored (check: ${compare}); find why ${g.component} does not start: journalctl -u kubelet -n 50 (the kubelet's log names the static pod's error)`;
}
