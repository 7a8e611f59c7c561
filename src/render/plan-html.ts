import type { Finding } from '../model/finding.js';
import type { Plan } from '../plan/plan.js';
import { escapeName } from './escape-name.js';
import {
  changeOverview,
  compareSections,
  controlTitles,
  countFinding,
  describeScope,
  describeWaiver,
  emptyCounts,
  isUnreachedFinding,
  nodeRoles,
  sectionOf,
  summaryRows,
  targetEntries,
  totalCounts,
  unreachedNodes,
  waiverNotice,
  type StatusCounts,
} from './plan-overview.js';
import { renderSummaryLine } from './plan-text.js';
import { createStyle } from './style.js';

/**
 * The plan as one self-contained HTML page for auditors and dashboards
 * (issue 12 §3): the summary, a node × section heat map of compliance, and
 * every finding and change with its diff, filterable by node, section and
 * status with plain JavaScript in the page. No network: no external
 * resource, and a Content-Security-Policy that forbids loading any.
 * Every value from the plan is escaped (escapeName, then HTML).
 */
export function renderPlanHtml(plan: Plan): string {
  const titles = controlTitles(plan);
  const roles = nodeRoles(plan);
  const findings = plan.findings.filter((f) => !isUnreachedFinding(f));
  const sections = [...new Set(findings.map((f) => sectionOf(f.controlId)))].sort(compareSections);
  const rowsOf = [...new Set([...plan.selection.nodes, ...plan.findings.flatMap((f) => (f.node ? [f.node] : []))])];
  const hasCluster = plan.findings.some((f) => f.node === undefined);
  const heatRows = [
    ...rowsOf.map((n) => ({ key: n, label: n, role: roles.get(n) ?? 'worker' })),
    ...(hasCluster ? [{ key: CLUSTER_KEY, label: 'cluster', role: 'cluster' }] : []),
  ];
  const unreached = new Set(unreachedNodes(plan));

  const cellCounts = new Map<string, StatusCounts>();
  for (const f of findings) {
    const key = `${f.node ?? CLUSTER_KEY}\u0000${sectionOf(f.controlId)}`;
    const counts = cellCounts.get(key) ?? emptyCounts();
    countFinding(counts, f);
    cellCounts.set(key, counts);
  }

  const heat = [
    '<table class="heat" id="heatmap"><thead><tr><th>node</th><th>role</th>',
    ...sections.map((s) => `<th>${h(s)}</th>`),
    '</tr></thead><tbody>',
    ...heatRows.map((row) => {
      const cells = sections.map((s) => {
        const c = cellCounts.get(`${row.key}\u0000${s}`);
        const judged = c ? c.pass + c.fail + c.errors : 0;
        if (!c || judged === 0) {
          const why = unreached.has(row.key) ? 'not reached' : c ? 'nothing judged (manual, waived or not evaluated)' : 'no control of this section applies';
          return `<td class="cell none" data-node="${h(row.key)}" data-section="${h(s)}" data-compliance="" title="${h(`${row.label} ${s}: ${why}`)}">–</td>`;
        }
        const pct = Math.round((100 * c.pass) / judged);
        const title = `${row.label} ${s}: ${c.pass} pass, ${c.fail} fail (${c.fixed} fixed by this plan, ${c.decision} need a decision)${c.errors ? `, ${c.errors} error` : ''}`;
        return `<td class="cell" data-node="${h(row.key)}" data-section="${h(s)}" data-compliance="${pct}" data-pass="${c.pass}" data-fail="${c.fail + c.errors}" style="background:${heatColour(pct)}" title="${h(title)}">${pct}%</td>`;
      });
      return `<tr><th>${h(row.label)}</th><td class="role">${h(unreached.has(row.key) ? 'not reached' : row.role)}</td>${cells.join('')}</tr>`;
    }),
    '</tbody></table>',
  ].join('\n');

  const rows = summaryRows(plan);
  const total = totalCounts(rows);
  const countCells = (c: StatusCounts) =>
    [c.pass, c.fail, c.fixed, c.decision, c.manual, c.waived, c.providerManaged, c.notEvaluated].map((n) => `<td class="num">${n}</td>`).join('');
  const summary = [
    '<table class="summary"><thead><tr><th>section</th><th>role</th><th>nodes</th><th>pass</th><th>fail</th><th>fixed by this plan</th><th>needs a decision</th><th>manual</th><th>waived</th><th>provider-managed</th><th>not evaluated</th></tr></thead><tbody>',
    ...rows.map((r) => `<tr><td>${h(r.section)}</td><td>${h(r.role)}</td><td class="num">${r.nodes}</td>${countCells(r)}</tr>`),
    `<tr class="total"><th>total</th><td></td><td></td>${countCells(total)}</tr>`,
    '</tbody></table>',
  ].join('\n');

  const o = changeOverview(plan.changes);
  const overview =
    o.changes === 0
      ? '<p>What will change: nothing.</p>'
      : [
          `<p>What will change: <b>${h(describeScope(o))}</b></p><ul>`,
          o.files ? `<li>files: ${o.files}</li>` : '',
          o.manifestRestarts.length ? `<li>manifests: ${o.manifestRestarts.length}, so restarts: ${h(o.manifestRestarts.join(', '))}</li>` : '',
          o.kubeletRestarts.length ? `<li>kubelet restarts: ${h(o.kubeletRestarts.join(', '))}</li>` : '',
          o.serviceRestarts.length ? `<li>service restarts: ${h(o.serviceRestarts.join(', '))}</li>` : '',
          o.clusterObjects ? `<li>cluster objects: ${o.clusterObjects}</li>` : '',
          '</ul>',
        ].join('');

  const findingRows = plan.findings.map((f) => {
    const node = f.node ?? CLUSTER_KEY;
    const state = stateOf(f);
    const section = isUnreachedFinding(f) ? '' : sectionOf(f.controlId);
    const detail = [
      `${h(f.actual)}${f.status === 'pass' ? '' : `; expected ${h(f.expected)}`}`,
      f.notFixableReason && f.status !== 'pass' ? `<div class="reason">${h(f.notFixableReason)}</div>` : '',
      f.waiver ? `<div class="waiver ${waiverNotice(f) ?? ''}">${h(describeWaiver(f)!)}</div>` : '',
    ].join('');
    return `<tr class="finding" data-node="${h(node)}" data-section="${h(section)}" data-status="${state}"><td>${h(f.node ?? 'cluster')}</td><td>${h(f.controlId)}</td><td>${h(f.title)}</td><td><span class="badge ${state}">${h(STATE_LABEL[state])}</span></td><td>${detail}</td></tr>`;
  });

  const changeRows = targetEntries(plan.changes).map((e) => {
    const node = e.node ?? CLUSTER_KEY;
    const controlSections = [...new Set(e.controlIds.map(sectionOf))];
    const controls = e.controlIds.map((id) => `<div>${h(id)} ${h(titles.get(id) ?? '')}</div>`).join('');
    const diff = e.changes
      .flatMap((c) => [
        ...c.diff.split('\n').filter((l) => l !== ''),
        ...('dryRunWarnings' in c ? c.dryRunWarnings.map((w) => `# warning from the API server: ${w}`) : []),
        ...('notes' in c ? (c.notes ?? []).map((n) => `# note: ${n}`) : []),
      ])
      .map((l) => `<span class="${diffClass(l)}">${h(l)}</span>`)
      .join('\n');
    return `<tr class="change" data-node="${h(node)}" data-section="${h(controlSections.join(' '))}" data-status="fixed"><td>${h(e.node ?? 'cluster')}</td><td><code>${h(e.target)}</code>${e.restart ? `<div class="restart">restarts ${h(e.restart)}</div>` : ''}</td><td>${controls}</td><td><pre class="diff">${diff}</pre></td></tr>`;
  });

  const option = (value: string, label = value) => `<option value="${h(value)}">${h(label)}</option>`;
  const filters = [
    '<form class="filters" id="filters">',
    `<label>node <select id="f-node">${option('', 'all')}${heatRows.map((r) => option(r.key, r.label)).join('')}</select></label>`,
    `<label>section <select id="f-section">${option('', 'all')}${sections.map((s) => option(s)).join('')}</select></label>`,
    `<label>status <select id="f-status">${option('', 'all')}${STATES.map((s) => option(s, STATE_LABEL[s])).join('')}</select></label>`,
    '<button type="reset" id="f-reset">show all</button> <span id="f-count"></span>',
    '</form>',
  ].join('\n');

  const summaryLine = renderSummaryLine(plan, createStyle(false));
  const access =
    plan.cluster?.kind === 'connected'
      ? `cluster ${plan.cluster.server} (context ${plan.cluster.context}, Kubernetes ${plan.cluster.version})`
      : plan.cluster
        ? `cluster not evaluated: ${plan.cluster.reason}`
        : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cis-fix report: ${h(plan.benchmark.id)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>cis-fix report <small>${h(plan.benchmark.id)}</small></h1>
<p class="meta">${h(plan.benchmark.chosenBy)}. Planned ${h(plan.createdAt)} by cis-fix ${h(plan.tool.version)} from ${h(plan.inventory.file)}${access ? `; ${h(access)}` : ''}.</p>
<p class="line" id="summary-line">${h(summaryLine)}</p>
${unreached.size ? `<p class="unreached">Not reached: ${h([...unreached].join(', '))}: not evaluated, nothing planned there.</p>` : ''}
<h2>Summary</h2>
${summary}
${overview}
<h2>Compliance by node and section</h2>
<p class="hint">Share of judged controls that pass (manual, waived, provider-managed and not evaluated controls are not judged). Click a cell to filter.</p>
${heat}
<h2>Findings and changes</h2>
${filters}
<h3>Changes <small>(one entry per target)</small></h3>
<table class="list" id="changes"><thead><tr><th>node</th><th>target</th><th>controls</th><th>diff</th></tr></thead><tbody>
${changeRows.join('\n') || '<tr><td colspan="4">No changes.</td></tr>'}
</tbody></table>
<h3>Findings</h3>
<table class="list" id="findings"><thead><tr><th>node</th><th>control</th><th>title</th><th>status</th><th>observed</th></tr></thead><tbody>
${findingRows.join('\n')}
</tbody></table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The heat map's key for the API's findings (not a valid node name: an inventory node cannot collide with it). */
const CLUSTER_KEY = ':cluster';

const STATES = ['pass', 'fixed', 'decision', 'error', 'manual', 'waived', 'provider-managed', 'not-evaluated', 'not-applicable'] as const;
type State = (typeof STATES)[number];
const STATE_LABEL: Record<State, string> = {
  pass: 'pass',
  fixed: 'fail: fixed by this plan',
  decision: 'fail: needs a decision',
  error: 'error',
  manual: 'manual',
  waived: 'waived',
  'provider-managed': 'provider-managed',
  'not-evaluated': 'not evaluated',
  'not-applicable': 'not applicable',
};

function stateOf(f: Finding): State {
  if (f.notEvaluated) return 'not-evaluated';
  switch (f.status) {
    case 'fail':
      return f.fixable ? 'fixed' : 'decision';
    case 'pass':
    case 'error':
    case 'manual':
    case 'waived':
    case 'provider-managed':
    case 'not-applicable':
      return f.status;
    default: {
      const never: never = f.status;
      return never;
    }
  }
}

/** Red (0 %) through amber to green (100 %). */
function heatColour(pct: number): string {
  const hue = Math.round((pct / 100) * 120);
  return `hsl(${hue}, 70%, ${pct === 100 ? 80 : 75}%)`;
}

function diffClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return 'file';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('#')) return 'note';
  return 'ctx';
}

function h(text: string): string {
  return escapeName(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#1b1f24}
h1 small,h3 small{color:#57606a;font-weight:normal}
.meta,.hint{color:#57606a}
.line{font-weight:bold}
.unreached{color:#b42318;font-weight:bold}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #d0d7de;padding:3px 6px;vertical-align:top;text-align:left}
td.num{text-align:right}
tr.total{font-weight:bold}
table.heat td.cell{text-align:center;min-width:3.5em;cursor:pointer}
table.heat td.none{color:#8c959f;background:#f6f8fa}
table.heat td.selected{outline:3px solid #0969da}
.list{width:100%}
pre.diff{margin:0;white-space:pre-wrap;word-break:break-all;font:12px/1.3 ui-monospace,monospace}
.add{color:#116329;background:#dafbe1}.del{color:#82071e;background:#ffebe9}.hunk{color:#0550ae}.file{font-weight:bold}.note{color:#9a6700}
.badge{padding:0 .4em;border-radius:.6em;white-space:nowrap}
.badge.pass{background:#dafbe1}.badge.fixed{background:#fff8c5}.badge.decision,.badge.error{background:#ffebe9}
.badge.waived,.badge.manual,.badge.provider-managed,.badge.not-evaluated,.badge.not-applicable{background:#eaeef2}
.reason{color:#9a6700}.waiver{color:#57606a}.waiver.expired{color:#b42318;font-weight:bold}.waiver.expires-soon{color:#9a6700;font-weight:bold}
.restart{color:#57606a;font-size:90%}
.filters{margin:.5em 0;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
.hidden{display:none}
`;

// Plain JavaScript: filter rows by node, section and status; a heat map cell sets node and section.
const SCRIPT = `
(function () {
  var node = document.getElementById('f-node');
  var section = document.getElementById('f-section');
  var status = document.getElementById('f-status');
  var countEl = document.getElementById('f-count');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.finding, tr.change'));
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var sections = (row.getAttribute('data-section') || '').split(' ');
      var ok = (!node.value || row.getAttribute('data-node') === node.value)
        && (!section.value || sections.indexOf(section.value) >= 0)
        && (!status.value || row.getAttribute('data-status') === status.value);
      row.classList.toggle('hidden', !ok);
      if (ok) shown++;
    });
    document.querySelectorAll('#heatmap td.cell').forEach(function (cell) {
      cell.classList.toggle('selected', !!node.value && !!section.value && cell.getAttribute('data-node') === node.value && cell.getAttribute('data-section') === section.value);
    });
    countEl.textContent = shown + ' of ' + rows.length + ' rows shown';
  }
  [node, section, status].forEach(function (el) { el.addEventListener('change', apply); });
  document.getElementById('filters').addEventListener('reset', function () { setTimeout(apply, 0); });
  document.querySelectorAll('#heatmap td.cell').forEach(function (cell) {
    cell.addEventListener('click', function () {
      node.value = cell.getAttribute('data-node');
      section.value = cell.getAttribute('data-section');
      apply();
      document.getElementById('filters').scrollIntoView();
    });
  });
  apply();
})();
`;
