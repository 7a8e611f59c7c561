import type { Finding } from '../model/finding.js';
import type { EnsureControl, KubeletSettingStep } from '../playbook/types.js';
import { NO_CHANGE_PLANNED } from './failing-finding.js';
import { journalAuditVerdict } from './kube-bench/journal-audit.js';
import { kubeBenchKubeletVerdict } from './kubelet/kube-bench-verdict.js';
import { judgeKubeletSetting } from './kubelet/judge-setting.js';
import { formatSettingValue } from './kubelet/setting-value.js';
import { effectiveKubeletSetting, type EffectiveKubeletSetting, type KubeletSettingSource, type KubeletView } from './kubelet-setting.js';
import type { NodeContext } from './node-context.js';

type Variables = Readonly<Record<string, readonly string[]>>;

/**
 * The finding of a kubelet control whose every step complies as the kubelet
 * runs: a pass, unless kube-bench reads another source (`configPath`) and
 * fails it. Shared by evaluation and by the kubelet-file planner, which
 * re-judges after its edits.
 */
export function compliantKubeletFinding(
  base: Pick<Finding, 'controlId' | 'node' | 'title' | 'kubeBench'>,
  expected: string,
  actual: string,
  configPath: string | undefined,
): Finding {
  if (base.kubeBench === 'FAIL') {
    return {
      ...base,
      status: 'fail',
      expected,
      actual: `${actual} (compliant as the kubelet runs)`,
      fixable: false,
      notFixableReason: `the kubelet complies, but kube-bench reads ${configPath ?? 'another source'} and fails it; point kube-bench at the kubelet's --config`,
    };
  }
  return { ...base, status: 'pass', expected, actual, fixable: false };
}

/**
 * A kubelet-setting control judged on one node (DESIGN.md §2,
 * `kubelet-setting`): every step on the value the kubelet really uses (its
 * effective source), with kube-bench's verdict from what kube-bench reads.
 * Pure.
 * - pass: every step complies (and kube-bench agrees);
 * - waived: a step that does not comply is opt-in and its parameter is false;
 * - fail: otherwise, with `stricterThanKubeBench` when kube-bench passes it.
 */
export function evaluateKubeletControl(control: EnsureControl, variables: Variables, ctx: NodeContext, view: KubeletView): Finding {
  const reading = kubeBenchKubeletVerdict(control.kubeBench, ctx.facts);
  const kubeBench = reading.verdict ?? journalAuditVerdict(control.kubeBench, ctx.facts, variables);
  const base = { controlId: control.id, node: ctx.name, title: control.title, kubeBench };
  const steps = (control.ensure as readonly KubeletSettingStep[]).map((step) => {
    const current = effectiveKubeletSetting(ctx.facts, step, view);
    return { step, current, judgement: judgeKubeletSetting(current, step.requirement, ctx.parameters, variables) };
  });
  const expected = steps.map(({ step, judgement }) => `${settingName(step)} ${judgement.expected}`.trim()).join('; ');
  const actual = steps.map(({ step, current }) => `${settingName(step)} = ${describeKubeletValue(current)}`).join('; ');
  if (steps.every((s) => s.judgement.compliant)) {
    return compliantKubeletFinding(base, expected, actual, reading.configPath);
  }
  // An opt-in step (workload impact) the user declined: the control is waived by that choice.
  const declined = steps.find(
    ({ step, judgement }) => !judgement.compliant && step.when !== undefined && ctx.parameters[step.when] !== undefined && ctx.parameters[step.when] !== true,
  );
  if (declined?.step.when !== undefined) {
    return {
      ...base,
      status: 'waived',
      expected,
      actual,
      fixable: false,
      notFixableReason: `parameter ${declined.step.when} is false`,
      decisionParameter: declined.step.when,
    };
  }
  const stricter = kubeBench === 'PASS' ? { stricterThanKubeBench: KUBELET_STRICTER } : {};
  return { ...base, ...stricter, status: 'fail', expected, actual, fixable: false, notFixableReason: NO_CHANGE_PLANNED };
}

/** Why cis-fix fails a kubelet control kube-bench passes. */
export const KUBELET_STRICTER = 'kube-bench passes this control, but the value the kubelet really uses (its effective source) does not comply';

export function settingName(step: KubeletSettingStep): string {
  return step.configKey ?? step.flag ?? 'setting';
}

/** "true (readOnlyPort in /var/lib/kubelet/config.yaml:12)". */
export function describeKubeletValue(setting: EffectiveKubeletSetting): string {
  return `${formatSettingValue(setting.value)} (${describeSource(setting.source)})`;
}

function describeSource(source: KubeletSettingSource): string {
  switch (source.kind) {
    case 'flag':
      return `flag ${source.flag}${source.file ? ` in ${source.file}${source.line !== null ? `:${source.line}` : ''}` : ''}${source.variable ? ` (${source.variable})` : ''}`;
    case 'config':
      return `${source.key} in ${source.file}:${source.line}`;
    case 'default':
      return source.basis === 'config-file' ? 'unset: the kubelet default' : 'unset: the kubelet command-line default';
    case 'unknown':
      return 'unknown source';
    default: {
      const never: never = source;
      return never;
    }
  }
}
