import type { NodeCheck } from '../model/node-check.js';
import { escapeName } from './escape-name.js';
import { count } from './plan-overview.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

/** `inventory check` as a table, then each failure with what to do. */
export function renderNodeChecks(checks: readonly NodeCheck[], style: Style): string {
  const table = renderTable(
    ['NODE', 'HOST', 'SSH', 'HOST KEY', 'SUDO', 'ROLES', 'KUBELET', 'RESULT'],
    checks.map((c) => [
      escapeName(c.node),
      escapeName(c.host),
      c.reachable ? style.green('ok') : style.red('failed'),
      c.hostKeyFingerprint ? `${style.green('verified')} ${style.dim(shortFingerprint(c.hostKeyFingerprint))}` : style.red('-'),
      c.sudo === 'ok' ? style.green('ok') : c.sudo === 'refused' ? style.red('refused') : style.dim('-'),
      c.reachable && c.error === undefined ? (c.roleMismatch ? style.red(rolesText(c)) : rolesText(c)) : c.declaredRoles.join(','),
      c.kubeletVersion ?? style.dim('-'),
      c.ok ? style.green('OK') : style.red('FAIL'),
    ]),
  );
  const details: string[] = [];
  for (const c of checks) {
    for (const accepted of c.acceptedHostKeys) details.push(`${style.yellow('recorded')} host key of ${escapeName(c.node)}: ${escapeName(accepted)}`);
    if (c.error) {
      // The node once, then its reason (the failure's message does not repeat the name).
      details.push(`${style.red(escapeName(c.node))}: ${escapeName(c.error.message)}`);
      for (const hint of c.error.hints) details.push(`  ${style.dim('→')} ${escapeName(hint)}`);
    } else if (c.roleMismatch) {
      details.push(`${style.red(escapeName(c.node))}: roles differ: ${c.roleMismatch}`);
      details.push(`  ${style.dim('→')} Fix the node's roles in the inventory (detected: ${c.roleEvidence.join('; ') || 'no component runs'}).`);
    }
  }
  const failed = checks.filter((c) => !c.ok).length;
  const unreached = checks.filter((c) => !c.reachable).length;
  const summary =
    failed === 0
      ? style.green(`All ${count(checks.length, 'node')} OK.`)
      : style.red(`${failed} of ${count(checks.length, 'node')} failed${unreached ? ` (${unreached} not reached)` : ''}.`);
  return [table, ...(details.length ? ['', ...details] : []), '', summary].join('\n');
}

function rolesText(c: NodeCheck): string {
  const declared = c.declaredRoles.join(',');
  const detected = c.detectedRoles.join(',') || 'none';
  return declared === detected || c.roleMismatch === undefined ? declared : `${declared} (runs: ${detected})`;
}

function shortFingerprint(fp: string): string {
  return fp.length > 20 ? `${fp.slice(0, 19)}…` : fp;
}
