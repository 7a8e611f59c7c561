import type { Plan } from '../plan/plan.js';
import type { DriftReport } from '../plan/drift.js';
import { escapeName } from './escape-name.js';
import { isUnreachedFinding, sectionOf, targetEntries, unreachedNodes } from './plan-overview.js';

/**
 * The plan as Prometheus text-format metrics (exposition format 0.0.4), for
 * alerting and for node_exporter's textfile collector (issue 12 §4).
 * Per node and control its status, plus drift, waiver expiry and the last
 * successful run. Label values: escapeName first (no control character
 * survives), then the format's own escaping of backslash, quote and newline.
 */
export interface MetricsContext {
  /** What drift found (drift, and plan when a baseline exists). */
  readonly drift?: DriftReport;
  /** finishedAt of the newest apply run that succeeded, from the state directory's journals. */
  readonly lastSuccessfulRun?: { readonly runId: string; readonly finishedAt: string };
}

export function renderPlanMetrics(plan: Plan, context: MetricsContext = {}): string {
  const out: string[] = [];
  const metric = (name: string, help: string, samples: readonly string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples);
  };
  const node = (n: string | undefined) => n ?? 'cluster';

  metric(
    'cis_fix_control_status',
    "One series per node and control: 1, with the control's status as label (pass, fail, manual, waived, not-applicable, provider-managed, error, not-evaluated).",
    plan.findings
      .filter((f) => !isUnreachedFinding(f))
      .map((f) =>
        sample(
          'cis_fix_control_status',
          {
            node: node(f.node),
            control: f.controlId,
            section: sectionOf(f.controlId),
            status: f.notEvaluated ? 'not-evaluated' : f.status,
            fixable: String(f.status === 'fail' && f.fixable),
          },
          1,
        ),
      ),
  );

  const statuses = new Map<string, number>();
  for (const f of plan.findings.filter((x) => !isUnreachedFinding(x))) {
    const key = `${node(f.node)}\u0000${f.notEvaluated ? 'not-evaluated' : f.status}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
  }
  metric(
    'cis_fix_controls',
    'Controls per node by status.',
    [...statuses].map(([key, n]) => {
      const [name, status] = key.split('\u0000') as [string, string];
      return sample('cis_fix_controls', { node: name, status }, n);
    }),
  );

  const changes = new Map<string, { changes: number; targets: number }>();
  for (const e of targetEntries(plan.changes)) {
    const c = changes.get(node(e.node)) ?? { changes: 0, targets: 0 };
    changes.set(node(e.node), { changes: c.changes + e.changes.length, targets: c.targets + 1 });
  }
  const nodes = [...plan.selection.nodes, ...(plan.findings.some((f) => f.node === undefined) ? ['cluster'] : [])];
  metric(
    'cis_fix_changes_pending',
    'Changes the plan would make, per node ("cluster" for API objects).',
    nodes.map((n) => sample('cis_fix_changes_pending', { node: n }, changes.get(n)?.changes ?? 0)),
  );

  const unreached = new Set(unreachedNodes(plan));
  metric(
    'cis_fix_node_reached',
    "1 when the node's facts were gathered, 0 when it could not be reached.",
    plan.selection.nodes.map((n) => sample('cis_fix_node_reached', { node: n }, unreached.has(n) ? 0 : 1)),
  );

  if (context.drift) {
    const drifted = new Map<string, number>();
    for (const f of context.drift.drifted) drifted.set(node(f.node), (drifted.get(node(f.node)) ?? 0) + 1);
    metric(
      'cis_fix_drifted_controls',
      'Controls that complied after a cis-fix run and fail now, per node.',
      nodes.map((n) => sample('cis_fix_drifted_controls', { node: n }, drifted.get(n) ?? 0)),
    );
    metric(
      'cis_fix_control_drifted',
      'One series per drifted control, with the run that had enforced it.',
      context.drift.drifted.map((f) => sample('cis_fix_control_drifted', { node: node(f.node), control: f.controlId, enforced_by: f.enforcedBy }, 1)),
    );
  }

  metric(
    'cis_fix_waiver_expiry_seconds',
    'Time left until a waiver expires, in whole days times 86400 (base unit seconds; negative once expired), per node and control it applies to.',
    plan.findings.flatMap((f) =>
      f.waiver
        ? [
            sample(
              'cis_fix_waiver_expiry_seconds',
              { node: node(f.node), control: f.controlId, waiver: f.waiver.control, owner: f.waiver.owner, expires: f.waiver.expires },
              f.waiver.daysLeft * 86_400,
            ),
          ]
        : [],
    ),
  );

  metric(
    'cis_fix_last_successful_run_timestamp_seconds',
    "When the newest successful cis-fix apply finished (Unix time), from the state directory's journals.",
    context.lastSuccessfulRun
      ? [
          sample(
            'cis_fix_last_successful_run_timestamp_seconds',
            { run: context.lastSuccessfulRun.runId },
            Date.parse(context.lastSuccessfulRun.finishedAt) / 1000,
          ),
        ]
      : [],
  );
  metric('cis_fix_plan_timestamp_seconds', 'When this plan was made (Unix time).', [
    sample('cis_fix_plan_timestamp_seconds', { benchmark: plan.benchmark.id }, Date.parse(plan.createdAt) / 1000),
  ]);
  return `${out.join('\n')}\n`;
}

function sample(name: string, labels: Readonly<Record<string, string>>, value: number): string {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}="${labelValue(v)}"`)
    .join(',');
  return `${name}{${text}} ${Number.isFinite(value) ? value : 'NaN'}`;
}

/** Exposition-format label value: control characters made visible, then `\`, `"` and newline escaped. */
export function labelValue(value: string): string {
  return escapeName(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
