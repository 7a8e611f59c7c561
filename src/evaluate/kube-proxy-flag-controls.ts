import type { Finding } from '../model/finding.js';
import type { EnsureControl, KubeProxySettingStep } from '../playbook/types.js';
import { argListSource } from './component-source.js';
import { NO_CHANGE_PLANNED } from './failing-finding.js';
import { journalAuditVerdict } from './kube-bench/journal-audit.js';
import { processAuditVerdict } from './kube-bench/process-audit.js';
import type { NodeContext } from './node-context.js';
import { judgeFlagStep } from './static-pod/flag-judgement.js';
import { embeddedPodFlags } from './static-pod/pod-flags.js';

type Variables = Readonly<Record<string, readonly string[]>>;

/**
 * A kube-proxy control judged on the node (control-family.ts `kube-proxy`:
 * kube-bench reads kube-proxy's flags where the distribution logs them, k3s's
 * journal): each `kube-proxy-setting` step on the command line kube-proxy
 * runs with, its flag alone (no KubeProxyConfiguration is read on the node).
 * A node without kube-proxy has no flag set, which a step allowing absence
 * accepts. Pure.
 *
 * When a step fails, the finding says whether a change can follow: only
 * where a distribution builds kube-proxy's command line from its config
 * files (component-source.ts argListSource: k3s `kube-proxy-arg`) does the
 * `rancher-config` kind plan one; elsewhere (kubeadm: a DaemonSet and its
 * ConfigMap) the reason says what a human does.
 */
export function evaluateKubeProxyFlagControl(control: EnsureControl, variables: Variables, ctx: NodeContext): Finding {
  const base = {
    controlId: control.id,
    node: ctx.name,
    title: control.title,
    kubeBench: processAuditVerdict(control.kubeBench, ctx.facts) ?? journalAuditVerdict(control.kubeBench, ctx.facts, variables),
  };
  const steps = control.ensure.filter((s): s is KubeProxySettingStep => s.kind === 'kube-proxy-setting');
  const expected = steps.map(describeKubeProxyStep).join('; ');
  const running = ctx.facts.components['kube-proxy'];
  const flags = embeddedPodFlags(running?.argv ?? []);
  const observed: string[] = [];
  let failing = false;
  for (const step of steps) {
    if (step.when !== undefined && ctx.parameters[step.when] !== true) {
      if (ctx.parameters[step.when] === undefined) failing = true;
      continue;
    }
    if (judgeFlagStep(step, flags.occurrences[step.flag] ?? [], ctx.parameters, variables).kind === 'satisfied') continue;
    failing = true;
    observed.push(`kube-proxy ${step.flag}${flags.flags[step.flag] !== undefined ? `=${flags.flags[step.flag]}` : ' not set'}`);
  }
  if (failing) {
    const reason = argListSource('kube-proxy', ctx.facts)
      ? NO_CHANGE_PLANNED
      : "kube-proxy's flags on this node do not come from a file cis-fix edits (on kubeadm its DaemonSet and the kube-proxy ConfigMap set them): change them there";
    return { ...base, status: 'fail', expected, actual: observed.join('; ') || 'not compliant', fixable: false, notFixableReason: reason };
  }
  const actual = running ? 'kube-proxy runs with compliant flags' : 'kube-proxy does not run on this node: no flag is set';
  return { ...base, status: 'pass', expected, actual, fixable: false };
}

function describeKubeProxyStep(step: KubeProxySettingStep): string {
  const r = step.requirement;
  switch (r.op) {
    case 'equals':
      return `kube-proxy ${step.flag}=${typeof r.value === 'object' && !Array.isArray(r.value) ? '<parameter>' : String(r.value)}${r.allowAbsent ? ' or unset' : ''}`;
    case 'absent':
      return `kube-proxy without ${step.flag}`;
    default:
      return `kube-proxy ${step.flag} ${r.op}`;
  }
}
