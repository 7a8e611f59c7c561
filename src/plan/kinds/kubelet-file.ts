import { createHash } from 'node:crypto';
import { controlFamily } from '../../evaluate/control-family.js';
import { compliantKubeletFinding, describeKubeletValue, KUBELET_STRICTER, settingName } from '../../evaluate/kubelet-controls.js';
import { kubeBenchKubeletVerdict } from '../../evaluate/kubelet/kube-bench-verdict.js';
import { readKubeletConfigFile } from '../../evaluate/kubelet/kubelet-config-file.js';
import type { NodeContext } from '../../evaluate/node-context.js';
import { normalizePath } from '../../facts/index.js';
import { flagValue } from '../../facts/process-flags.js';
import type { NodeFacts } from '../../facts/types.js';
import type { KubeletFileChange } from '../../model/change.js';
import { componentRow } from '../../model/components.js';
import type { Finding, KubeBenchVerdict } from '../../model/finding.js';
import type { EnsureControl, KubeletSettingStep } from '../../playbook/types.js';
import type { KubeletSettingFix } from '../edits/kubelet-setting-fix.js';
import { planKubeletSettingFixes, type KubeletNodePlan } from '../edits/kubelet-setting-fixes.js';
import { byControlId, type NodeKindHandler, type NodeKindInput } from './handler.js';
import { dirname, type NodeScope } from './invariant-scope.js';
import { configuredElsewhere } from '../../evaluate/component-source.js';
import { kubeBenchReadsCommandLineOnly } from '../../evaluate/kubelet/command-line-setting.js';
import { kubeletView } from '../../evaluate/kubelet-setting.js';

/**
 * `kubelet-file` (DESIGN.md §2, `kubelet-setting`): the failing kubelet
 * settings of a node are fixed in the source that wins (a flag in a unit,
 * drop-in or environment file over the --config file); all fixes of the
 * node are merged into one change per file and one kubelet restart. A
 * control is offered as fixable only if kube-bench would pass it on the
 * node as the edits and the restart leave it; otherwise its steps are
 * planned again without it, so that no change is made for a control the
 * plan does not claim to fix. Where kube-bench sees a control's setting only
 * on the command line (its $kubeletconf is not a KubeletConfiguration: AKS's
 * azure.json), the flag is set where it stands instead (placement
 * `command-line`, kubelet-setting-fix.ts). Pure.
 */
export const kubeletFileHandler: NodeKindHandler<'kubelet-file'> = {
  kind: 'kubelet-file',
  scope: 'node',
  phase: 3,
  // A kubelet that did not run when the plan was made is not restarted (apply gates only a running one).
  restarts: (change) => (change.after.argv === undefined ? undefined : { kind: 'kubelet' }),
  plan: planKubeletFiles,
  describe(change) {
    const reload = change.daemonReload ? 'systemctl daemon-reload, ' : '';
    const purpose = change.purpose === 'kube-bench' ? ' (read by kube-bench, not the kubelet)' : '';
    return { summary: `${change.edits.length} edit${change.edits.length === 1 ? '' : 's'}${purpose}, ${reload}restarts the kubelet`, diff: change.diff };
  },
  invariants(change, scope: NodeScope) {
    const out: string[] = [];
    if (scope.pathsKnown && !scope.paths.has(change.target))
      out.push(`target: ${change.target} is not a kubelet file the benchmark's variables resolve to on ${change.node}`);
    if (scope.manifestDirs.has(dirname(change.target))) out.push(`target: nothing but a manifest is ever written into ${dirname(change.target)}`);
    return out;
  },
};

type StepKey = `${string}#${number}`;

function planKubeletFiles(input: NodeKindInput): { changes: KubeletFileChange[]; findings: Finding[] } {
  const { ctx, variables } = input;
  const byId = new Map(input.controls.map((c) => [c.id, c]));
  const applicable = input.failing.flatMap((f) => {
    const control = byId.get(f.controlId);
    // A kubelet another source configures (component-source.ts) is planned by that source's kind.
    return control && control.fix === 'ensure' && controlFamily(control) === 'kubelet' && !configuredElsewhere(control, ctx.facts, ctx.roles, variables)
      ? [control]
      : [];
  });
  if (applicable.length === 0) return { findings: [], changes: [] };

  // Controls whose fix kube-bench would not accept, or whose files cis-fix must not rewrite: planned without them.
  const refused = new Map<string, string>();
  const firstPlan = planFor(applicable, refused, ctx, variables);
  let nodePlan = firstPlan;
  for (let round = 0; round < applicable.length; round += 1) {
    const newlyRefused = refusals(applicable, refused, nodePlan, ctx.facts);
    if (newlyRefused.size === 0) break;
    for (const [id, reason] of newlyRefused) refused.set(id, reason);
    nodePlan = planFor(applicable, refused, ctx, variables);
  }

  // A refused control is described as the first plan saw it (its steps are not in the final plan).
  const fixes = new Map([...firstPlan.steps, ...nodePlan.steps].map((s) => [s.key, s.fix]));
  const findings = applicable.map((control) => findingFor(control, fixes, refused.get(control.id), ctx));
  return { findings, changes: changesFor(nodePlan, ctx, input.benchmark.nodeReplacement) };
}

function stepKeys(control: EnsureControl): StepKey[] {
  return control.ensure.map((_, i) => `${control.id}#${i}` as StepKey);
}

function planFor(
  controls: readonly EnsureControl[],
  refused: ReadonlyMap<string, string>,
  ctx: NodeContext,
  variables: Readonly<Record<string, readonly string[]>>,
): KubeletNodePlan<StepKey> {
  const configPath = kubeletView(ctx.facts).configPath;
  const steps = controls.flatMap((control) => {
    if (refused.has(control.id)) return [];
    // Where kube-bench sees the setting only on the command line, the fix puts it there (command-line-setting.ts).
    const placement = kubeBenchReadsCommandLineOnly(control.kubeBench, ctx.facts, configPath) ? ('command-line' as const) : undefined;
    return (control.ensure as readonly KubeletSettingStep[]).map((step, i) => ({ key: `${control.id}#${i}` as StepKey, step: { ...step, placement } }));
  });
  return planKubeletSettingFixes(ctx.facts, steps, ctx.parameters, variables);
}

/** Controls to take out of the plan: kube-bench would still fail them afterwards, or an edited file cannot be written safely. */
function refusals(
  controls: readonly EnsureControl[],
  refused: ReadonlyMap<string, string>,
  plan: KubeletNodePlan<StepKey>,
  facts: NodeFacts,
): Map<string, string> {
  const out = new Map<string, string>();
  const fixed = new Set(plan.steps.filter((s) => s.fix.kind === 'fix').map((s) => s.key.split('#')[0]!));
  for (const edit of plan.edits) {
    const entry = facts.paths[normalizePath(edit.path)];
    if (entry?.exists && entry.type === 'symlink') {
      for (const key of edit.stepKeys)
        out.set(key.split('#')[0]!, `${edit.path} is a symlink: cis-fix writes files by rename and would replace the link; edit its target by hand`);
    }
  }
  for (const control of controls) {
    if (refused.has(control.id) || out.has(control.id) || !fixed.has(control.id)) continue;
    const after = kubeBenchKubeletVerdict(control.kubeBench, plan.factsAfter);
    if (after.verdict === 'FAIL') {
      out.set(
        control.id,
        `kube-bench would still fail this control after the edit (it reads ${after.configPath ?? 'the kubelet command line'}); fix it by hand`,
      );
    }
  }
  return out;
}

function findingFor(control: EnsureControl, fixes: ReadonlyMap<string, KubeletSettingFix>, refusedBecause: string | undefined, ctx: NodeContext): Finding {
  const reading = kubeBenchKubeletVerdict(control.kubeBench, ctx.facts);
  const kubeBench: KubeBenchVerdict | undefined = reading.verdict;
  const base = { controlId: control.id, node: ctx.name, title: control.title, kubeBench };
  // Each step with its fix, paired before the steps without one are left out, so each text names its own setting.
  const planned = stepKeys(control).map((key, i) => ({ step: control.ensure[i] as KubeletSettingStep, fix: fixes.get(key) }));
  const expected = planned.map(({ step, fix }) => `${settingName(step)} ${fix?.judgement.expected ?? ''}`.trim()).join('; ');
  const withFix = planned.filter((p): p is { step: KubeletSettingStep; fix: KubeletSettingFix } => p.fix !== undefined);
  const steps = withFix.map((p) => p.fix);
  const actual = withFix.map(({ step, fix }) => `${settingName(step)} = ${describeKubeletValue(fix.current)}`).join('; ');
  const stricter = kubeBench === 'PASS' ? { stricterThanKubeBench: KUBELET_STRICTER } : {};
  if (refusedBecause !== undefined) return { ...base, ...stricter, status: 'fail', expected, actual, fixable: false, notFixableReason: refusedBecause };
  if (steps.every((f) => f.kind === 'compliant')) {
    return compliantKubeletFinding(base, expected, actual, reading.configPath);
  }
  const declined = steps.find((f) => f.kind === 'declined');
  if (declined && declined.kind === 'declined') {
    return { ...base, status: 'waived', expected, actual, fixable: false, notFixableReason: declined.reason, decisionParameter: declined.parameter };
  }
  const blocked = steps.filter((f) => f.kind === 'not-fixable' || f.kind === 'needs-parameter');
  if (blocked.length > 0) {
    const reasons = blocked.flatMap((f) => (f.kind === 'not-fixable' ? f.reasons : f.kind === 'needs-parameter' ? [f.reason] : []));
    const parameter = blocked.find((f) => f.kind === 'needs-parameter');
    return {
      ...base,
      ...stricter,
      status: 'fail',
      expected,
      actual,
      fixable: false,
      notFixableReason: reasons.join('; '),
      ...(parameter && parameter.kind === 'needs-parameter' ? { decisionParameter: parameter.parameter } : {}),
    };
  }
  return { ...base, ...stricter, status: 'fail', expected, actual, fixable: true };
}

function changesFor(plan: KubeletNodePlan<StepKey>, ctx: NodeContext, nodeReplacement: string | undefined): KubeletFileChange[] {
  if (plan.edits.length === 0) return [];
  const before = ctx.facts.components.kubelet?.argv;
  const afterArgv = before === undefined ? undefined : plan.factsAfter.components.kubelet?.argv;
  const healthUrl = kubeletHealthUrl(plan.factsAfter);
  return plan.edits.map((edit) => {
    const path = normalizePath(edit.path);
    const entry = ctx.facts.paths[path];
    const present = entry?.exists ? entry : undefined;
    const sha256 = createHash('sha256').update(edit.after, 'utf8').digest('hex');
    const controlIds = [...new Set(edit.stepKeys.map((k) => k.split('#')[0]!))].sort(byControlId);
    return {
      id: `${ctx.name}:kubelet-file:${path}`,
      node: ctx.name,
      controlIds,
      kind: 'kubelet-file',
      target: path,
      action: 'update',
      precondition: { exists: true, sha256: edit.beforeSha256 ?? undefined, mode: present?.mode ?? '644', uid: present?.uid ?? 0, gid: present?.gid ?? 0 },
      restart: 'kubelet',
      daemonReload: plan.daemonReload,
      purpose: edit.purpose,
      edits: edit.changes,
      diff: edit.diff,
      before: { sha256: edit.beforeSha256 ?? '', argv: before },
      after: { content: edit.after, sha256, argv: afterArgv, healthUrl },
      ...(nodeReplacement !== undefined ? { notes: [nodeReplacement] } : {}),
    } satisfies KubeletFileChange;
  });
}

/** The kubelet's healthz as its (new) config file sets it; the kubelet's defaults otherwise. */
function kubeletHealthUrl(facts: NodeFacts): string {
  const argv = facts.components.kubelet?.argv ?? [];
  const configPath = flagValue(argv, '--config');
  const data = configPath ? readKubeletConfigFile(facts, configPath).data : undefined;
  const fallback = new URL(componentRow('kubelet').healthUrl);
  const port = typeof data?.['healthzPort'] === 'number' && data['healthzPort'] > 0 ? data['healthzPort'] : Number(fallback.port);
  const bind =
    typeof data?.['healthzBindAddress'] === 'string' && data['healthzBindAddress'] !== '' && data['healthzBindAddress'] !== '0.0.0.0'
      ? data['healthzBindAddress']
      : fallback.hostname;
  return `http://${bind.includes(':') ? `[${bind}]` : bind}:${port}/healthz`;
}
