import { createHash } from 'node:crypto';
import { configuredElsewhere } from '../../evaluate/component-source.js';
import { controlFamily } from '../../evaluate/control-family.js';
import {
  describeSetting,
  ETCD_UNIT,
  etcdServiceSource,
  etcdSetting,
  judgeEtcdServiceStep,
  settingReadings,
  type EtcdServiceSource,
} from '../../evaluate/etcd-service/etcd-service-source.js';
import { flagSites } from '../../evaluate/kubelet/flag-sites.js';
import { processAuditVerdict } from '../../evaluate/kube-bench/process-audit.js';
import { describeStaticPodControl, manifestPath } from '../../evaluate/static-pod-controls.js';
import type { NodeContext } from '../../evaluate/node-context.js';
import { firstCredentialName } from '../../facts/assignment-redaction.js';
import type { NodeFacts, PathFacts, PresentPath } from '../../facts/types.js';
import type { EtcdServiceChange, HealthClientTls } from '../../model/change.js';
import type { Finding } from '../../model/finding.js';
import type { Control, EnsureControl } from '../../playbook/types.js';
import { removeVariable, setVariable } from '../edits/environment-file-edits.js';
import { fixFor, unifiedDiff, type FlagEdit } from '../edits/static-pod-manifest.js';
import { flagEdits } from '../edits/kubelet-flag-edits.js';
import { applySplices, type Splice } from '../edits/text-splice.js';
import { etcdHealthProbe, type EtcdHealthProbe } from './etcd-health-probe.js';
import { byControlId, type NodeKindInput } from './handler.js';

/**
 * Routing and planning for etcd run by systemd (`etcd-service`; issue 13
 * §3, external etcd). A `static-pod-flag` step for etcd says WHAT must hold;
 * on a node where etcd is a systemd service and not a static pod, WHERE it
 * is written is the source that wins for etcd:
 *  1. the flag on etcd's command line, when the unit or a drop-in puts it
 *     there (on the ExecStart line, or in a variable that line expands):
 *     edited where it stands;
 *  2. else the ETCD_* variable of the service environment (an environment
 *     file's line, edited in place; or an `Environment=` of the unit);
 *  3. else the variable is appended to the environment file the unit reads
 *     last.
 * etcd refuses to start with both a flag and its variable, so an edit never
 * adds one beside the other. A control is offered only when the edited
 * sources make kube-bench pass it (its `ps`/`/proc/PID/environ` audit,
 * judged on the command line and environment systemd would start etcd with)
 * and the flag judgement agrees; otherwise it is planned again without it.
 * Pure.
 */

/** The hook for static-pod-controls.ts: true when this control's etcd steps belong to the etcd service, not to a manifest. */
export function routedToEtcdService(control: Control, ctx: NodeContext, variables: Variables): boolean {
  return controlFamily(control) === 'static-pod' && configuredElsewhere(control, ctx.facts, ctx.roles, variables, 'etcd-service');
}

type Variables = Readonly<Record<string, readonly string[]>>;

interface FileEdit {
  readonly file: string;
  readonly splices: readonly Splice[];
  readonly summary: string;
}

type StepPlan =
  | { readonly kind: 'edits'; readonly edits: readonly FileEdit[]; readonly observed: string }
  | { readonly kind: 'blocked'; readonly reason: string; readonly parameter?: string };

export interface EtcdServicePlan {
  readonly findings: readonly Finding[];
  readonly changes: readonly EtcdServiceChange[];
}

const planned = new WeakMap<NodeKindInput, EtcdServicePlan>();

export function planEtcdServiceControls(input: NodeKindInput): EtcdServicePlan {
  const known = planned.get(input);
  if (known) return known;
  const result = planFresh(input);
  planned.set(input, result);
  return result;
}

function planFresh(input: NodeKindInput): EtcdServicePlan {
  const { ctx, variables } = input;
  const byId = new Map(input.controls.map((c) => [c.id, c]));
  const controls = input.failing.flatMap((f) => {
    const control = byId.get(f.controlId);
    return control && control.fix === 'ensure' && routedToEtcdService(control, ctx, variables) ? [control] : [];
  });
  const source = etcdServiceSource(ctx.facts, manifestPath('etcd', variables));
  if (controls.length === 0 || !source) return { findings: [], changes: [] };

  const refused = new Map<string, { reason: string; parameter?: string }>();
  const observed = new Map<string, string>();
  const edits = new Map<string, FileEdit[]>();
  for (const control of controls) {
    const steps = control.ensure.map((step) => planStep(step, source, ctx, variables));
    const blocked = steps.filter((s): s is Extract<StepPlan, { kind: 'blocked' }> => s.kind === 'blocked');
    observed.set(control.id, steps.flatMap((s) => (s.kind === 'edits' && s.observed !== '' ? [s.observed] : [])).join('; '));
    if (blocked.length > 0) {
      const parameter = blocked.find((b) => b.parameter !== undefined)?.parameter;
      refused.set(control.id, { reason: blocked.map((b) => b.reason).join('; '), ...(parameter !== undefined ? { parameter } : {}) });
      continue;
    }
    edits.set(
      control.id,
      steps.flatMap((s) => (s.kind === 'edits' ? s.edits : [])),
    );
  }

  // Plan, then take out every control kube-bench would still fail on the edited sources, until none is left to take out.
  let outcome = outcomeFor(controls, edits, refused, source, ctx, variables);
  for (let round = 0; round < controls.length && outcome.newlyRefused.size > 0; round += 1) {
    for (const [id, reason] of outcome.newlyRefused) refused.set(id, { reason });
    outcome = outcomeFor(controls, edits, refused, source, ctx, variables);
  }

  const findings = controls.map((control): Finding => {
    const base = { controlId: control.id, node: ctx.name, title: control.title, kubeBench: processAuditVerdict(control.kubeBench, ctx.facts) };
    const expected = describeStaticPodControl(control);
    const actual = observed.get(control.id) || 'not compliant';
    const why = refused.get(control.id);
    if (why)
      return {
        ...base,
        status: 'fail',
        expected,
        actual,
        fixable: false,
        notFixableReason: why.reason,
        ...(why.parameter ? { decisionParameter: why.parameter } : {}),
      };
    return { ...base, status: 'fail', expected, actual, fixable: true };
  });
  return { findings, changes: outcome.changes };
}

function planStep(step: EnsureControl['ensure'][number], source: EtcdServiceSource, ctx: NodeContext, variables: Variables): StepPlan {
  if (step.kind !== 'static-pod-flag' || step.component !== 'etcd') return { kind: 'edits', edits: [], observed: '' };
  if (step.when !== undefined && ctx.parameters[step.when] !== true) {
    return ctx.parameters[step.when] === undefined
      ? { kind: 'blocked', reason: `opt-in needed: set parameter ${step.when}: true to let cis-fix make this change`, parameter: step.when }
      : { kind: 'edits', edits: [], observed: '' };
  }
  const setting = etcdSetting(source, step.flag);
  if (setting.kind === 'problem') return { kind: 'blocked', reason: setting.problem };
  const fix = fixFor(step, settingReadings(setting), ctx.parameters, variables);
  const observed = describeSetting(step.flag, setting);
  switch (fix.kind) {
    case 'satisfied':
      return { kind: 'edits', edits: [], observed: '' };
    case 'needs-parameter':
      return { kind: 'blocked', reason: `set parameter ${fix.parameter} in the inventory`, parameter: fix.parameter };
    case 'edits':
      break;
    default:
      return { kind: 'blocked', reason: 'reason' in fix ? String(fix.reason) : `${step.flag}: ${fix.kind}` };
  }
  const out: FileEdit[] = [];
  for (const edit of fix.edits) {
    const routed = routeEdit(edit, step.flag, source, ctx.facts);
    if ('reason' in routed) return { kind: 'blocked', reason: routed.reason };
    out.push(...routed.edits);
  }
  return { kind: 'edits', edits: out, observed };
}

/** Where one flag edit is written on this node (the winning source), as splices of that file. */
function routeEdit(edit: FlagEdit, flag: string, source: EtcdServiceSource, facts: NodeFacts): { edits: FileEdit[] } | { reason: string } {
  if (edit.kind === 'mount') {
    // A service sees the host's files as they are: nothing to mount, but the file must exist.
    const entry = facts.paths[edit.path];
    return entry && !entry.exists ? { reason: `${flag} would name ${edit.path}, which does not exist on this node` } : { edits: [] };
  }
  if (edit.kind !== 'set' && edit.kind !== 'remove') return { reason: `${flag}: cis-fix does not edit list flags of the etcd service; change it by hand` };
  const newValue = edit.kind === 'set' ? edit.value : null;
  const setting = etcdSetting(source, flag);
  const textOf = (file: string) => verbatimText(facts, file) ?? '';
  switch (setting.kind) {
    case 'flag': {
      const sites = flagSites(source.argv ?? [], flag, source.commandLine, true);
      const plan = flagEdits(flag, sites, () => ({ newValue }), textOf);
      if (plan.kind === 'blocked') return { reason: plan.reasons.join('; ') };
      return { edits: [...plan.byFile].map(([file, splices]) => ({ file, splices, summary: (plan.summaries.get(file) ?? []).join('; ') })) };
    }
    case 'variable': {
      const assignment = source.commandLine.variables.get(setting.variable);
      if (!assignment) return { reason: `cis-fix cannot tell where ${setting.variable} is set` };
      if (assignment.via === 'Environment') return environmentDirectiveEdit(assignment, setting.variable, newValue);
      const text = verbatimText(facts, assignment.file);
      if (text === undefined) return { reason: `${assignment.file} could not be read verbatim, so cis-fix will not edit it` };
      const splices = newValue === null ? removeVariable(text, setting.variable) : setVariable(text, setting.variable, newValue);
      const summary = newValue === null ? `remove ${setting.variable}` : `${setting.variable}: ${setting.value} -> ${newValue} (edited in place)`;
      return { edits: [{ file: assignment.file, splices, summary }] };
    }
    case 'unset': {
      if (newValue === null) return { edits: [] };
      const target = appendTarget(source, facts);
      if ('reason' in target) return target;
      const text = verbatimText(facts, target.file) ?? '';
      return { edits: [{ file: target.file, splices: setVariable(text, setting.variable, newValue), summary: `${setting.variable}=${newValue} (appended)` }] };
    }
    case 'problem':
      return { reason: setting.problem };
    default: {
      const never: never = setting;
      return never;
    }
  }
}

/** `Environment=ETCD_X=value` in the unit: the value's bytes replaced, when both values are plain words. */
function environmentDirectiveEdit(
  assignment: NonNullable<ReturnType<EtcdServiceSource['commandLine']['variables']['get']>>,
  variable: string,
  newValue: string | null,
): { edits: FileEdit[] } | { reason: string } {
  const offsets = assignment.value.offsets;
  if (newValue === null || offsets.length === 0 || !/^[A-Za-z0-9_.,:/@+=-]+$/.test(newValue) || !/^[A-Za-z0-9_.,:/@+=-]+$/.test(assignment.value.text)) {
    return { reason: `${variable} is set by Environment= in ${assignment.file}:${assignment.line}; change it by hand` };
  }
  const start = offsets[0] ?? 0;
  const end = (offsets[offsets.length - 1] ?? start) + 1;
  return {
    edits: [
      {
        file: assignment.file,
        splices: [{ start, end, insert: newValue }],
        summary: `${variable}: ${assignment.value.text} -> ${newValue} (Environment= in the unit)`,
      },
    ],
  };
}

/** The environment file a new variable goes into: the last one the unit names that exists (systemd reads it last, so it wins). */
function appendTarget(source: EtcdServiceSource, facts: NodeFacts): { file: string } | { reason: string } {
  const named = source.service.environmentFiles.filter((f) => f.declaredIn !== null && f.exists);
  const last = named[named.length - 1];
  if (!last) return { reason: `${source.service.unitFile} reads no environment file that exists: add the setting to etcd's configuration by hand` };
  if (verbatimText(facts, last.path) === undefined) return { reason: `${last.path} could not be read verbatim, so cis-fix will not edit it` };
  return { file: last.path };
}

function verbatimText(facts: NodeFacts, file: string): string | undefined {
  const entry = facts.paths[file];
  if (!entry?.exists || entry.type !== 'file' || entry.content.kind !== 'text' || !entry.content.verbatim) return undefined;
  return entry.content.text;
}

interface Outcome {
  readonly changes: EtcdServiceChange[];
  readonly newlyRefused: Map<string, string>;
}

function outcomeFor(
  controls: readonly EnsureControl[],
  edits: ReadonlyMap<string, readonly FileEdit[]>,
  refused: ReadonlyMap<string, unknown>,
  source: EtcdServiceSource,
  ctx: NodeContext,
  variables: Variables,
): Outcome {
  const newlyRefused = new Map<string, string>();
  const byFile = new Map<string, { splices: Splice[]; summaries: string[]; controls: string[] }>();
  for (const control of controls) {
    if (refused.has(control.id)) continue;
    for (const edit of edits.get(control.id) ?? []) {
      const entry = byFile.get(edit.file) ?? { splices: [], summaries: [], controls: [] };
      for (const splice of edit.splices) {
        if (!entry.splices.some((s) => s.start === splice.start && s.end === splice.end && s.insert === splice.insert)) entry.splices.push(splice);
      }
      if (edit.summary !== '' && !entry.summaries.includes(edit.summary)) entry.summaries.push(edit.summary);
      if (!entry.controls.includes(control.id)) entry.controls.push(control.id);
      byFile.set(edit.file, entry);
    }
  }
  // Files cis-fix must not copy into a plan, or cannot rewrite.
  const texts = new Map<string, string>();
  for (const [file, entry] of byFile) {
    const text = verbatimText(ctx.facts, file);
    // The node redacts credentials (assignment-redaction.ts); a file still holding one here is refused all the same.
    const secret = text === undefined ? undefined : firstCredentialName(text);
    const reason =
      text === undefined
        ? `${file} could not be read verbatim, so cis-fix will not edit it`
        : ctx.facts.paths[file]?.exists && (ctx.facts.paths[file] as PresentPath).type === 'symlink'
          ? `${file} is a symlink: cis-fix writes files by rename and would replace the link; edit its target by hand`
          : secret !== undefined
            ? `${file} also sets ${secret}, a credential: cis-fix never copies such a file into a plan; edit it by hand`
            : undefined;
    if (reason !== undefined) for (const id of entry.controls) newlyRefused.set(id, reason);
    else {
      try {
        texts.set(file, applySplices(text as string, entry.splices));
      } catch {
        for (const id of entry.controls) newlyRefused.set(id, `two edits of ${file} overlap; fix these controls one at a time`);
      }
    }
  }
  if (newlyRefused.size > 0) return { changes: [], newlyRefused };

  // The node as the edits and a restart leave it: the sources, etcd's command line and its environment.
  const after = factsAfter(ctx.facts, texts);
  const sourceAfter = etcdServiceSource(after.sources, manifestPath('etcd', variables));
  const argvAfter = sourceAfter?.argv;
  if (!sourceAfter || argvAfter === undefined) {
    for (const control of controls) if (!refused.has(control.id)) newlyRefused.set(control.id, `etcd's command line could not be rebuilt after the edit`);
    return { changes: [], newlyRefused };
  }
  const running = withEtcdProcess(after.sources, argvAfter, sourceAfter);
  for (const control of controls) {
    if (refused.has(control.id)) continue;
    const judged = control.ensure.every(
      (step) =>
        step.kind !== 'static-pod-flag' || judgeEtcdServiceStep(step, running, manifestPath('etcd', variables), ctx.parameters, variables)?.satisfied !== false,
    );
    if (!judged || processAuditVerdict(control.kubeBench, running) === 'FAIL')
      newlyRefused.set(control.id, 'kube-bench would still fail this control after the edit; fix it by hand');
  }
  if (newlyRefused.size > 0) return { changes: [], newlyRefused };

  const before = ctx.facts.components.etcd?.argv;
  const apiserverArgv = ctx.facts.components['kube-apiserver']?.argv;
  const health = etcdHealthProbe({ argv: argvAfter, variable: variableOf(sourceAfter), apiserverArgv, paths: ctx.facts.paths });
  const unprobed =
    before === undefined
      ? 'etcd is not running on this node: cis-fix restarts and health-checks it after the edit; start it first'
      : health.kind === 'none'
        ? health.reason
        : undefined;
  if (texts.size > 0 && unprobed !== undefined) {
    for (const [, entry] of byFile) for (const id of entry.controls) newlyRefused.set(id, unprobed);
    return { changes: [], newlyRefused };
  }
  // How a restore asks the etcd it brings back (the command line and environment it ran with before).
  const healthBefore =
    before === undefined ? undefined : etcdHealthProbe({ argv: before, variable: variableOf(source), apiserverArgv, paths: ctx.facts.paths });
  const unitFiles = new Set([source.service.unitFile, ...source.service.dropIns.map((d) => d.path)]);
  const daemonReload = [...texts.keys()].some((f) => unitFiles.has(f));
  const changes = [...texts].map(([file, content]): EtcdServiceChange => {
    const entry = ctx.facts.paths[file] as PresentPath;
    const mine = byFile.get(file)!;
    return {
      id: `${ctx.name}:etcd-service:${file}`,
      node: ctx.name,
      controlIds: [...mine.controls].sort(byControlId),
      kind: 'etcd-service',
      target: file,
      action: 'update',
      precondition: { exists: true, sha256: entry.sha256 ?? undefined, mode: entry.mode, uid: entry.uid, gid: entry.gid },
      restart: 'etcd',
      unit: ETCD_UNIT,
      daemonReload,
      edits: mine.summaries,
      diff: unifiedDiff(file, verbatimText(ctx.facts, file) ?? '', content),
      before: { sha256: entry.sha256 ?? '', argv: before ?? [], ...probeFields(healthBefore) },
      after: { content, sha256: sha256Of(content), argv: argvAfter, healthUrl: health.kind === 'none' ? '' : health.url, ...probeFields(health, 'tls') },
    };
  });
  return { changes: changes.sort((a, b) => a.target.localeCompare(b.target)), newlyRefused };
}

function sha256Of(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The facts with the edited files' new contents (a new object: the memoised readings of the old facts stay as they were). */
function factsAfter(facts: NodeFacts, texts: ReadonlyMap<string, string>): { sources: NodeFacts } {
  const paths: Record<string, PathFacts> = { ...facts.paths };
  for (const [file, text] of texts) {
    const entry = paths[file] as PresentPath;
    paths[file] = { ...entry, sha256: sha256Of(text), size: Buffer.byteLength(text), content: { kind: 'text', text, verbatim: true } };
  }
  return { sources: { ...facts, paths } };
}

/** The facts with etcd running as systemd would start it from `source`: its argv, and ETCD_* in its environment. */
function withEtcdProcess(facts: NodeFacts, argv: readonly string[], source: EtcdServiceSource): NodeFacts {
  const environment = [...source.commandLine.variables.values()].filter((v) => v.name.startsWith('ETCD_'));
  const processes = facts.processes.map((p) => {
    if (p.component !== 'etcd') return p;
    const kept = (p.auditEnv?.lines ?? []).filter((l) => !l.startsWith('ETCD_'));
    const lines = [...kept, ...environment.map((v) => `${v.name}=${v.value.text}`)];
    const dropped = (p.auditEnv?.totalLines ?? 0) - (p.auditEnv?.lines.length ?? 0);
    return {
      ...p,
      argv,
      environment: Object.fromEntries(environment.map((v) => [v.name, v.value.text])),
      auditEnv: { lines, totalLines: lines.length + dropped },
    };
  });
  const etcd = processes.find((p) => p.component === 'etcd');
  return { ...facts, processes, components: { ...facts.components, ...(etcd ? { etcd } : {}) } };
}

function variableOf(source: EtcdServiceSource): (name: string) => string | undefined {
  return (name) => source.commandLine.variables.get(name)?.value.text;
}

/** A probe as a change's before/after fields (`only: 'tls'`: the TLS identity alone, the URL being required there). */
function probeFields(probe: EtcdHealthProbe | undefined, only?: 'tls'): { healthUrl?: string; healthTls?: HealthClientTls } {
  if (probe === undefined || probe.kind === 'none') return {};
  const tls = probe.kind === 'tls' ? { healthTls: probe.tls } : {};
  return only === 'tls' ? tls : { healthUrl: probe.url, ...tls };
}
