import type { NodeFacts } from '../facts/types.js';
import type { NodeFailure } from '../model/node-check.js';
import { escapeName } from './escape-name.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

type Outcome =
  { readonly node: string; readonly ok: true; readonly value: NodeFacts } | { readonly node: string; readonly ok: false; readonly error: NodeFailure };

/** A one-line-per-node overview; `--json` has the full facts. */
export function renderFactsSummary(outcomes: readonly Outcome[], style: Style): string {
  const rows = outcomes.map((o) => {
    if (!o.ok) return [escapeName(o.node), style.red('failed'), '', '', '', escapeName(o.error.message.split('\n')[0] ?? '')];
    const f = o.value;
    return [
      escapeName(o.node),
      style.green('ok'),
      f.roles.roles.join(',') || '-',
      Object.keys(f.components).sort().join(',') || '-',
      String(Object.keys(f.paths).length),
      f.kubeletVersion?.version ?? '-',
    ];
  });
  return `${renderTable(['NODE', 'FACTS', 'ROLES', 'RUNNING', 'PATHS', 'KUBELET'], rows)}\n${style.dim('Run with --json for everything that was gathered.')}`;
}
