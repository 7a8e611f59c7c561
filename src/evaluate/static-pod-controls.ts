import type { NodeFacts } from '../facts/types.js';
import { MANIFEST_VARIABLES } from '../model/components.js';
import type { Finding } from '../model/finding.js';
import type { EnsureControl, StaticPodComponent, StaticPodFlagStep } from '../playbook/types.js';
import { judgeEtcdServiceStep } from './etcd-service/etcd-service-source.js';
import { NO_CHANGE_PLANNED } from './failing-finding.js';
import { journalAuditVerdict } from './kube-bench/journal-audit.js';
import { processAuditVerdict } from './kube-bench/process-audit.js';
import type { NodeContext } from './node-context.js';
import { judgeGeneratedEtcdControl } from './rancher/etcd-config-controls.js';
import { judgeFlagStep } from './static-pod/flag-judgement.js';
import { embeddedPodFlags, readPodFlags } from './static-pod/pod-flags.js';

type Variables = Readonly<Record<string, readonly string[]>>;

/**
 * A static-pod flag control judged on one node (DESIGN.md §2,
 * `static-pod-flag`): on the manifest (what the component starts with next)
 * and, as kube-bench does, on the running process. Pure.
 *
 * It fails when a flag step is not met on the manifest, cannot be judged
 * (the manifest is missing or unreadable, a parameter has no value) or
 * waits for an opt-in; and when the manifest complies but the running
 * process does not (the component has not restarted since).
 */
export function evaluateStaticPodControl(control: EnsureControl, variables: Variables, ctx: NodeContext): Finding {
  // RKE2's etcd: judged on the config file RKE2 generates for it, as kube-bench reads it.
  const generated = judgeGeneratedEtcdControl(control, ctx, variables, describeStaticPodControl(control));
  if (generated) return generated;
  const base = {
    controlId: control.id,
    node: ctx.name,
    title: control.title,
    kubeBench: processAuditVerdict(control.kubeBench, ctx.facts) ?? journalAuditVerdict(control.kubeBench, ctx.facts, variables),
  };
  const expected = describeStaticPodControl(control);
  const observed: string[] = [];
  let failing = false;
  for (const step of control.ensure) {
    if (step.kind !== 'static-pod-flag') continue;
    if (step.when !== undefined && ctx.parameters[step.when] !== true) {
      // Not yet opted in: undecided is failing; declined (false) checks nothing.
      if (ctx.parameters[step.when] === undefined) failing = true;
      continue;
    }
    // etcd run by systemd (external etcd): judged on its unit and environment (etcd-service/).
    const asService = judgeEtcdServiceStep(step, ctx.facts, manifestPath(step.component, variables), ctx.parameters, variables);
    if (asService) {
      failing ||= !asService.satisfied;
      if (!asService.satisfied) observed.push(asService.observed);
      continue;
    }
    const embedded = ctx.facts.components[step.component];
    // A component k3s runs inside its own process has no manifest: what it runs with is in k3s's journal.
    const manifest = embedded?.pid === 0 ? undefined : manifestText(ctx.facts, manifestPath(step.component, variables));
    if (manifest && 'problem' in manifest) {
      failing = true;
      continue;
    }
    const flags = manifest ? readPodFlags(manifest.text, step.component) : embeddedPodFlags(embedded?.argv ?? []);
    if (flags.kind === 'problem') {
      failing = true;
      continue;
    }
    if (judgeFlagStep(step, flags.occurrences[step.flag] ?? [], ctx.parameters, variables).kind === 'satisfied') continue;
    failing = true;
    observed.push(`${step.component} ${step.flag}${flags.flags[step.flag] !== undefined ? `=${flags.flags[step.flag]}` : ' not set'}`);
  }
  if (failing)
    return { ...base, status: 'fail', expected, actual: observed.join('; ') || 'not compliant', fixable: false, notFixableReason: NO_CHANGE_PLANNED };
  if (base.kubeBench === 'FAIL') {
    return {
      ...base,
      status: 'fail',
      expected,
      actual: 'the manifest complies but the running process does not',
      fixable: false,
      notFixableReason: 'the component has not restarted since its manifest changed: check the kubelet on this node',
    };
  }
  return { ...base, status: 'pass', expected, actual: 'manifest and running process comply', fixable: false };
}

/** The manifest of a static pod as gathered, when cis-fix may read (and edit) it. */
export function manifestText(facts: NodeFacts, path: string | undefined): { path: string; text: string; sha256: string } | { problem: string } {
  if (!path) return { problem: 'the static pod manifest was not found on this node' };
  const entry = facts.paths[path];
  if (!entry?.exists) return { problem: `${path} does not exist on this node` };
  if (entry.content.kind !== 'text' || !entry.content.verbatim || !entry.sha256) {
    return { problem: `${path} could not be read verbatim (redacted or too large), so cis-fix will not edit it` };
  }
  return { path, text: entry.content.text, sha256: entry.sha256 };
}

/** The manifest path of a static pod on this node (its variable as resolved there). */
export function manifestPath(component: StaticPodComponent, variables: Variables): string | undefined {
  return variables[MANIFEST_VARIABLES[component]]?.[0];
}

/** What the control wants, in words: its flags, and that the files they name exist. */
export function describeStaticPodControl(control: EnsureControl): string {
  const flagSteps = control.ensure.filter((s): s is StaticPodFlagStep => s.kind === 'static-pod-flag');
  const supportSteps = control.ensure.filter((s) => s.kind === 'support-file');
  return [...flagSteps.map(describeStep), ...supportSteps.map(() => 'the file it names exists')].join('; ');
}

function describeStep(step: StaticPodFlagStep): string {
  const r = step.requirement;
  const value = (v: unknown) => (typeof v === 'object' && v !== null && 'param' in v ? `<parameter ${(v as { param: string }).param}>` : String(v));
  switch (r.op) {
    case 'equals':
      return `${step.component} ${step.flag}=${value(r.value)}`;
    case 'absent':
      return `${step.component} without ${step.flag}`;
    case 'contains-element':
      return `${step.component} ${step.flag} includes ${r.element}`;
    case 'not-contains-element':
      return `${step.component} ${step.flag} without ${r.element}`;
    case 'at-least':
      return `${step.component} ${step.flag} >= ${value(r.value)}`;
    default:
      return `${step.component} ${step.flag} ${r.op}`;
  }
}
