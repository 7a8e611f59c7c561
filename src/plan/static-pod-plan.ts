import { createHash } from 'node:crypto';
import type { NodeContext } from '../evaluate/node-context.js';
import { processAuditVerdict } from '../evaluate/kube-bench/process-audit.js';
import type { NodeFacts } from '../facts/types.js';
import type { ManifestChange, SupportFileChange } from '../model/change.js';
import type { Finding } from '../model/finding.js';
import type { Control, EnsureControl, StaticPodComponent, StaticPodFlagStep, SupportFileStep } from '../playbook/types.js';
import { editManifest, fixFor, readPodFlags, unifiedDiff, type FlagEdit } from './edits/static-pod-manifest.js';
import { planSupportFile, type SupportFilePlan } from './support-file-plan.js';

/** The path variable naming each static pod's manifest. */
const MANIFEST_VARIABLE: Readonly<Record<StaticPodComponent, string>> = {
  'kube-apiserver': 'apiserverManifest',
  'kube-controller-manager': 'controllerManagerManifest',
  'kube-scheduler': 'schedulerManifest',
  etcd: 'etcdManifest',
};

/** Restart order on a control-plane node (DESIGN.md §2): etcd first, the scheduler last. */
export const COMPONENT_ORDER: readonly StaticPodComponent[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

/**
 * Controls this module decides: static-pod flags, with the support files
 * they name (3.2.1's audit policy, 1.2.27's encryption config, 1.2.9's
 * admission config).
 */
export function isStaticPodFlagControl(control: Control): control is EnsureControl {
  return (
    control.fix === 'ensure' &&
    control.ensure.some((s) => s.kind === 'static-pod-flag') &&
    control.ensure.every((s) => s.kind === 'static-pod-flag' || s.kind === 'support-file')
  );
}

export interface StaticPodPlan {
  readonly findings: readonly Finding[];
  /** Per node: the support files first (a manifest must not name a file that is not there yet), then the manifests in restart order. */
  readonly changes: readonly (SupportFileChange | ManifestChange)[];
}

/**
 * Static-pod flag controls on one node: each control is judged on the
 * manifest (what cis-fix edits) and, as kube-bench does, on the running
 * process; every manifest gets at most one change carrying all its edits,
 * offered only if kube-bench would pass every fixed control on the command
 * line the edited manifest starts. Pure.
 */
export function planStaticPodFlags(controls: readonly Control[], ctx: NodeContext, variables: Readonly<Record<string, readonly string[]>>): StaticPodPlan {
  const findings: Finding[] = [];
  const edits = new Map<StaticPodComponent, { edits: FlagEdit[]; controls: EnsureControl[] }>();
  const applicable = controls.filter(isStaticPodFlagControl).filter((c) => c.scope === 'node' && c.roles.some((r) => ctx.roles.includes(r)));

  const supportFiles = new Map<string, { change: Omit<SupportFileChange, 'controlIds'>; controls: string[] }>();
  for (const control of applicable) {
    const base = { controlId: control.id, node: ctx.name, title: control.title, kubeBench: processAuditVerdict(control.kubeBench, ctx.facts) };
    const flagSteps = control.ensure.filter((s): s is StaticPodFlagStep => s.kind === 'static-pod-flag');
    const supportSteps = control.ensure.filter((s): s is SupportFileStep => s.kind === 'support-file');
    const expected = [...flagSteps.map(describeStep), ...supportSteps.map(() => 'the file it names exists')].join('; ');
    const pending: { component: StaticPodComponent; edits: readonly FlagEdit[] }[] = [];
    const blocked: string[] = [];
    let decisionParameter: string | undefined;
    const observed: string[] = [];
    // The support files this control would create: a flag may name them although they do not exist yet.
    const support: SupportFilePlan[] = supportSteps.map((step) => planSupportFile(step, ctx.name, ctx.facts, ctx.parameters));
    const willCreate = new Set(support.flatMap((p) => (p.kind === 'create' ? [p.path] : [])));
    for (const step of flagSteps) {
      if (step.when !== undefined && ctx.parameters[step.when] !== true) {
        if (ctx.parameters[step.when] === undefined) {
          blocked.push(`opt-in needed: set parameter ${step.when}: true to let cis-fix make this change`);
          decisionParameter ??= step.when;
        }
        continue;
      }
      const manifest = manifestText(ctx.facts, variables[MANIFEST_VARIABLE[step.component]]?.[0]);
      if ('problem' in manifest) {
        blocked.push(manifest.problem);
        continue;
      }
      const flags = readPodFlags(manifest.text, step.component);
      if (flags.kind === 'problem') {
        blocked.push(`${manifest.path}: ${flags.problem}`);
        continue;
      }
      const fix = fixFor(step, flags.occurrences[step.flag] ?? [], ctx.parameters, variables);
      switch (fix.kind) {
        case 'satisfied':
          break;
        case 'edits': {
          // A flag naming a file that must already exist: refuse when the facts show it missing (the health gate would catch it, later and louder).
          const missing = fix.edits.find((e) => e.kind === 'mount' && (e.hostPathType === 'File' || e.hostPathType === 'Directory') && !willCreate.has(e.path) && knownAbsent(ctx.facts, e.path));
          if (missing && missing.kind === 'mount') {
            blocked.push(`${step.flag} would name ${missing.path}, which does not exist on this node`);
            break;
          }
          observed.push(`${step.component} ${step.flag}${flags.flags[step.flag] !== undefined ? `=${flags.flags[step.flag]}` : ' not set'}`);
          pending.push({ component: step.component, edits: fix.edits });
          break;
        }
        case 'needs-parameter':
          blocked.push(`set parameter ${fix.parameter} in the inventory`);
          decisionParameter ??= fix.parameter;
          break;
        default:
          blocked.push('reason' in fix ? String(fix.reason) : `${step.flag}: ${fix.kind}`);
      }
    }
    // A support file is created only when this control's edits make a flag name it (else the flag names another file that exists already).
    const named = new Set(pending.flatMap((p) => p.edits.flatMap((e) => (e.kind === 'mount' ? [e.path] : e.kind === 'set' ? [e.value] : []))));
    const creations: Extract<SupportFilePlan, { kind: 'create' }>[] = [];
    for (const file of support) {
      if (file.kind === 'create' && named.has(file.path)) creations.push(file);
      else if (file.kind === 'needs-parameter' && pending.length > 0) {
        blocked.push(`set parameter ${file.parameter} in the inventory`);
        decisionParameter ??= file.parameter;
      } else if (file.kind === 'refused' && pending.length > 0) blocked.push(file.reason);
    }
    if (pending.length === 0 && blocked.length === 0) {
      const stale = base.kubeBench === 'FAIL';
      findings.push(
        stale
          ? { ...base, status: 'fail', expected, actual: 'the manifest complies but the running process does not', fixable: false, notFixableReason: 'the component has not restarted since its manifest changed: check the kubelet on this node' }
          : { ...base, status: 'pass', expected, actual: 'manifest and running process comply', fixable: false },
      );
      continue;
    }
    if (blocked.length > 0) {
      findings.push({ ...base, status: 'fail', expected, actual: observed.join('; ') || 'not compliant', fixable: false, notFixableReason: blocked.join('; '), ...(decisionParameter ? { decisionParameter } : {}) });
      continue;
    }
    for (const file of creations) {
      const entry = supportFiles.get(file.path) ?? { change: file.change, controls: [] };
      entry.controls.push(control.id);
      supportFiles.set(file.path, entry);
      observed.push(`${file.path} does not exist yet: created${file.change.after.secrets.length ? ' with a key generated on the node' : ''}`);
    }
    for (const p of pending) {
      const entry = edits.get(p.component) ?? { edits: [], controls: [] };
      // Controls sharing a step (1.2.27 and 1.2.28) ask for the same edit: once is enough.
      entry.edits.push(...p.edits.filter((e) => !entry.edits.some((x) => JSON.stringify(x) === JSON.stringify(e))));
      if (!entry.controls.includes(control)) entry.controls.push(control);
      edits.set(p.component, entry);
    }
    findings.push({ ...base, status: 'fail', expected, actual: observed.join('; '), fixable: true });
  }

  const changes: (SupportFileChange | ManifestChange)[] = [];
  const refusedControls = new Set<string>();
  for (const component of COMPONENT_ORDER) {
    const entry = edits.get(component);
    if (!entry) continue;
    const manifest = manifestText(ctx.facts, variables[MANIFEST_VARIABLE[component]]?.[0]);
    if ('problem' in manifest) continue;
    const result = editManifest(manifest.text, entry.edits, { container: component });
    const afterFlags = readPodFlags(result.text, component);
    // Never offer a change kube-bench would still fail: judge the command line the new manifest starts.
    const unconvincing = afterFlags.kind === 'problem' ? entry.controls : entry.controls.filter((c) => processAuditVerdict(c.kubeBench, ctx.facts, { component, argv: afterFlags.argv }) === 'FAIL');
    if (result.problems.length > 0 || !result.changed || unconvincing.length > 0) {
      const reason = result.problems.join('; ') || (unconvincing.length ? 'kube-bench would still fail after the edit' : 'the edit changes nothing');
      for (const c of entry.controls) {
        const index = findings.findIndex((f) => f.controlId === c.id);
        findings[index] = { ...findings[index]!, fixable: false, notFixableReason: reason };
        refusedControls.add(c.id);
      }
      continue;
    }
    const entryFacts = ctx.facts.paths[manifest.path];
    changes.push({
      id: `${ctx.name}:static-pod-manifest:${manifest.path}`,
      node: ctx.name,
      controlIds: entry.controls.map((c) => c.id).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
      kind: 'static-pod-manifest',
      target: manifest.path,
      action: 'update',
      precondition: { exists: true, sha256: manifest.sha256, mode: entryFacts?.exists ? entryFacts.mode : '600', uid: entryFacts?.exists ? entryFacts.uid : 0, gid: entryFacts?.exists ? entryFacts.gid : 0 },
      restart: component,
      diff: unifiedDiff(manifest.path, manifest.text, result.text),
      before: { sha256: manifest.sha256, argv: ctx.facts.components[component]?.argv ?? [] },
      after: { content: result.text, sha256: createHash('sha256').update(result.text).digest('hex'), argv: afterFlags.kind === 'flags' ? afterFlags.argv : [] },
    });
  }
  // Support files go first, and only for controls whose manifest change is planned.
  const files: SupportFileChange[] = [...supportFiles.values()]
    .map(({ change, controls }) => ({ ...change, controlIds: controls.filter((id) => !refusedControls.has(id)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })) }))
    .filter((change) => change.controlIds.length > 0);
  return { findings, changes: [...files, ...changes] };
}

/** True when the facts show `path` does not exist: looked at and absent, or missing from a complete listing of a directory above it. */
function knownAbsent(facts: NodeFacts, path: string): boolean {
  const entry = facts.paths[path];
  if (entry) return !entry.exists;
  return Object.values(facts.listings).some((listing) => {
    if (!listing.exists || !path.startsWith(`${listing.dir.replace(/\/$/, '')}/`)) return false;
    const depth = path.slice(listing.dir.replace(/\/$/, '').length + 1).split('/').length;
    return depth <= listing.depth && !facts.truncated && !listing.entries.includes(path);
  });
}

function manifestText(facts: NodeFacts, path: string | undefined): { path: string; text: string; sha256: string } | { problem: string } {
  if (!path) return { problem: 'the static pod manifest was not found on this node' };
  const entry = facts.paths[path];
  if (!entry?.exists) return { problem: `${path} does not exist on this node` };
  if (entry.content.kind !== 'text' || !entry.content.verbatim || !entry.sha256) {
    return { problem: `${path} could not be read verbatim (redacted or too large), so cis-fix will not edit it` };
  }
  return { path, text: entry.content.text, sha256: entry.sha256 };
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
