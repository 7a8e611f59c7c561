import type { NodeCheck } from '../model/node-check.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

/** `inventory check` as a table, then each failure with what to do. */
export function renderNodeChecks(checks: readonly NodeCheck[], style: Style): string {
  const table = renderTable(
    ['NODE', 'HOST', 'SSH', 'HOST KEY', 'SUDO', 'ROLES', 'KUBELET', 'RESULT'],
    checks.map((c) => [
      c.node,
      c.host,
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
    for (const accepted of c.acceptedHostKeys) details.push(`${style.yellow('recorded')} host key of ${c.node}: ${accepted}`);
    if (c.error) {
      details.push(`${style.red(c.node)}: ${c.error.message}`);
      for (const hint of c.error.hints) details.push(`  ${style.dim('→')} ${hint}`);
    } else if (c.roleMismatch) {
      details.push(`${style.red(c.node)}: roles differ: ${c.roleMismatch}`);
      details.push(`  ${style.dim('→')} Fix the node's roles in the inventory (detected: ${c.roleEvidence.join('; ') || 'no component runs'}).`);
    }
  }
  const failed = checks.filter((c) => !c.ok).length;
  const summary = failed === 0 ? style.green(`All ${checks.length} node(s) OK.`) : style.red(`${failed} of ${checks.length} node(s) failed.`);
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
