import { createHash } from 'node:crypto';
import { controlFamily } from '../../evaluate/control-family.js';
import { processAuditVerdict } from '../../evaluate/kube-bench/process-audit.js';
import { describeStaticPodControl, manifestPath, manifestText } from '../../evaluate/static-pod-controls.js';
import type { NodeFacts } from '../../facts/types.js';
import { STATIC_POD_ORDER } from '../../model/components.js';
import type { ManifestChange, SupportFileChange } from '../../model/change.js';
import type { Finding } from '../../model/finding.js';
import type { EnsureControl, StaticPodComponent, StaticPodFlagStep, SupportFileStep } from '../../playbook/types.js';
import { editManifest, fixFor, readPodFlags, unifiedDiff, type FlagEdit } from '../edits/static-pod-manifest.js';
import { byControlId, type NodeKindInput } from './handler.js';
import { planSupportFile, type SupportFilePlan } from './support-file-content.js';
import { configuredElsewhere } from '../../evaluate/component-source.js';

/**
 * The planning shared by `static-pod-manifest` and `support-file` (DESIGN.md
 * §2, `static-pod-flag`): the failing static-pod flag controls of one node
 * become flag edits, at most one manifest change per component carrying all
 * its edits, and the support files those flags name (created before the
 * manifest that names them). A manifest change is offered only if kube-bench
 * would pass every control it fixes on the command line the edited manifest
 * starts; otherwise it is dropped, with its support files, and its controls
 * say why. Pure; computed once per node input and shared by the two kinds.
 */
export interface StaticPodPlan {
  readonly findings: readonly Finding[];
  /** Only for controls whose manifest change is planned. */
  readonly supportFiles: readonly SupportFileChange[];
  /** In restart order (etcd first). */
  readonly manifests: readonly ManifestChange[];
}

const planned = new WeakMap<NodeKindInput, StaticPodPlan>();

export function planStaticPodControls(input: NodeKindInput): StaticPodPlan {
  const known = planned.get(input);
  if (known) return known;
  const { ctx, variables } = input;
  const byId = new Map(input.controls.map((c) => [c.id, c]));
  const findings: Finding[] = [];
  const edits = new Map<StaticPodComponent, { edits: FlagEdit[]; controls: EnsureControl[] }>();
  const supportFiles = new Map<string, { change: Omit<SupportFileChange, 'controlIds'>; controls: string[] }>();

  for (const failing of input.failing) {
    const control = byId.get(failing.controlId);
    if (!control || control.fix !== 'ensure' || controlFamily(control) !== 'static-pod') continue;
    // Another source configures the component on this node (component-source.ts: a Rancher config.yaml, etcd's
    // systemd unit and environment files): the kind of that source plans it.
    if (configuredElsewhere(control, ctx.facts, ctx.roles, variables)) continue;
    const base = { controlId: control.id, node: ctx.name, title: control.title, kubeBench: processAuditVerdict(control.kubeBench, ctx.facts) };
    const flagSteps = control.ensure.filter((s): s is StaticPodFlagStep => s.kind === 'static-pod-flag');
    const supportSteps = control.ensure.filter((s): s is SupportFileStep => s.kind === 'support-file');
    const expected = describeStaticPodControl(control);
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
      const manifest = manifestText(ctx.facts, manifestPath(step.component, variables));
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
          const missing = fix.edits.find(
            (e) =>
              e.kind === 'mount' && (e.hostPathType === 'File' || e.hostPathType === 'Directory') && !willCreate.has(e.path) && knownAbsent(ctx.facts, e.path),
          );
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
      // Nothing to edit: the manifest complies and the process has not caught up (evaluation says so).
      findings.push(failing);
      continue;
    }
    if (blocked.length > 0) {
      findings.push({
        ...base,
        status: 'fail',
        expected,
        actual: observed.join('; ') || 'not compliant',
        fixable: false,
        notFixableReason: blocked.join('; '),
        ...(decisionParameter ? { decisionParameter } : {}),
      });
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

  const manifests: ManifestChange[] = [];
  const refusedControls = new Set<string>();
  for (const component of STATIC_POD_ORDER) {
    const entry = edits.get(component);
    if (!entry) continue;
    const manifest = manifestText(ctx.facts, manifestPath(component, variables));
    if ('problem' in manifest) continue;
    const result = editManifest(manifest.text, entry.edits, { container: component });
    const afterFlags = readPodFlags(result.text, component);
    // Never offer a change kube-bench would still fail: judge the command line the new manifest starts.
    const unconvincing =
      afterFlags.kind === 'problem'
        ? entry.controls
        : entry.controls.filter((c) => processAuditVerdict(c.kubeBench, ctx.facts, { component, argv: afterFlags.argv }) === 'FAIL');
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
    manifests.push({
      id: `${ctx.name}:static-pod-manifest:${manifest.path}`,
      node: ctx.name,
      controlIds: entry.controls.map((c) => c.id).sort(byControlId),
      kind: 'static-pod-manifest',
      target: manifest.path,
      action: 'update',
      precondition: {
        exists: true,
        sha256: manifest.sha256,
        mode: entryFacts?.exists ? entryFacts.mode : '600',
        uid: entryFacts?.exists ? entryFacts.uid : 0,
        gid: entryFacts?.exists ? entryFacts.gid : 0,
      },
      restart: component,
      diff: unifiedDiff(manifest.path, manifest.text, result.text),
      before: { sha256: manifest.sha256, argv: ctx.facts.components[component]?.argv ?? [] },
      after: { content: result.text, sha256: createHash('sha256').update(result.text).digest('hex'), argv: afterFlags.kind === 'flags' ? afterFlags.argv : [] },
    });
  }
  // Support files only for controls whose manifest change is planned.
  const files: SupportFileChange[] = [...supportFiles.values()]
    .map(({ change, controls }) => ({ ...change, controlIds: controls.filter((id) => !refusedControls.has(id)).sort(byControlId) }))
    .filter((change) => change.controlIds.length > 0);
  const result = { findings, supportFiles: files, manifests };
  planned.set(input, result);
  return result;
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
