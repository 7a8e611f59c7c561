import { createHash } from 'node:crypto';
import { componentSource, configuredElsewhere, stepComponent, type RancherConfigSourceOf, type RancherFile } from '../../evaluate/component-source.js';
import { controlFamily } from '../../evaluate/control-family.js';
import { journalAuditVerdict } from '../../evaluate/kube-bench/journal-audit.js';
import { processAuditVerdict } from '../../evaluate/kube-bench/process-audit.js';
import { predictedJournals } from './predicted-journal.js';
import type { NodeContext } from '../../evaluate/node-context.js';
import { argKeySources, type ArgComponent, type ArgKey } from '../../evaluate/rancher/rancher-config.js';
import { flagOccurrences } from '../../facts/process-flags.js';
import type { NodeFacts } from '../../facts/types.js';
import type { RancherConfigChange, ServiceGate } from '../../model/change.js';
import { componentRow, RESTART_ORDER } from '../../model/components.js';
import type { Finding } from '../../model/finding.js';
import type { EnsureControl, EnsureStep } from '../../playbook/types.js';
import { describeArgEdit, editRancherConfig, type ArgEdit } from '../edits/rancher-config.js';
import { fixFor, resolveRequirement, unifiedDiff } from '../edits/static-pod-manifest.js';
import { intendedFlagValue, type ArgumentEdit } from '../edits/apply-flag-edit.js';
import type { FlagReading } from '../../evaluate/static-pod/flag-judgement.js';
import { byControlId, type NodeKindInput } from './handler.js';
import { argsGoToGeneratedFile, etcdConfigConvincing } from './rancher-etcd-config.js';

/**
 * The planning of the `rancher-config` kind: the failing static-pod flag and
 * kubelet setting controls of a node whose components a Rancher
 * distribution configures (component-source.ts) become `*-arg` edits of
 * config.yaml and its drop-ins — one change per file, one service restart
 * per node. What a step must hold is the playbook's; where it is written is
 * the source's. A control is fixable only when kube-bench would pass it on
 * the command lines the distribution will start after the restart. Pure;
 * computed once per node input.
 */
export interface RancherConfigPlan {
  readonly findings: readonly Finding[];
  readonly changes: readonly RancherConfigChange[];
}

/** What one step wants of one component's flag: the edits (set, remove, add or remove a list element) that satisfy it. */
interface FlagTarget {
  readonly source: RancherConfigSourceOf;
  readonly flag: string;
  readonly edits: readonly ArgumentEdit[];
}

const planned = new WeakMap<NodeKindInput, RancherConfigPlan>();

export function planRancherConfig(input: NodeKindInput): RancherConfigPlan {
  const known = planned.get(input);
  if (known) return known;
  const { ctx } = input;
  const byId = new Map(input.controls.map((c) => [c.id, c]));
  const findings: Finding[] = [];
  const accepted: { control: EnsureControl; targets: FlagTarget[]; base: Finding }[] = [];
  for (const failing of input.failing) {
    const control = byId.get(failing.controlId);
    if (!control || control.fix !== 'ensure' || !configuredElsewhere(control, ctx.facts, ctx.roles, input.variables, 'rancher-config')) continue;
    const family = controlFamily(control);
    if (family !== 'static-pod' && family !== 'kubelet' && family !== 'kube-proxy') continue;
    const targets: FlagTarget[] = [];
    const blocked: string[] = [];
    let decisionParameter: string | undefined;
    for (const step of control.ensure) {
      const outcome = targetFor(step, ctx, input.variables);
      if (outcome.kind === 'target') targets.push(outcome.target);
      else if (outcome.kind === 'blocked') {
        blocked.push(outcome.reason);
        if (outcome.parameter) decisionParameter ??= outcome.parameter;
      }
    }
    if (blocked.length > 0) {
      findings.push({ ...failing, fixable: false, notFixableReason: blocked.join('; '), ...(decisionParameter ? { decisionParameter } : {}) });
      continue;
    }
    if (targets.length === 0) {
      findings.push(failing);
      continue;
    }
    accepted.push({ control, targets, base: failing });
  }

  // Refuse controls kube-bench would still fail on what the restart starts, then plan the rest again.
  let current = accepted;
  let result = changesFor(current, ctx);
  for (let round = 0; round < accepted.length; round += 1) {
    const unconvincing = current.filter(
      (a) => !convincing(a.control, ctx.facts, result.argv, input.variables) || !etcdConfigConvincing(a.control, ctx, input.variables, result.changes),
    );
    const refusedByEdit = current.filter((a) => result.refused.has(a.control.id));
    if (unconvincing.length === 0 && refusedByEdit.length === 0) break;
    for (const a of unconvincing) findings.push({ ...a.base, fixable: false, notFixableReason: 'kube-bench would still fail after the edit' });
    for (const a of refusedByEdit) findings.push({ ...a.base, fixable: false, notFixableReason: result.refused.get(a.control.id)! });
    current = current.filter((a) => !unconvincing.includes(a) && !refusedByEdit.includes(a));
    result = changesFor(current, ctx);
  }
  for (const a of current) {
    // Evaluation's "no change is planned" and decision no longer hold: this kind plans the change.
    const { notFixableReason: _reason, decisionParameter: _parameter, ...base } = a.base;
    const observed = a.targets.map(
      (t) => `${t.source.component} --${t.flag}: ${t.source.key} in ${t.source.files.find((f) => f.exists)?.path ?? t.source.configFile}`,
    );
    findings.push({ ...base, fixable: true, actual: `${base.actual}; set through ${observed.join(', ')}` });
  }
  const plan = { findings, changes: result.changes };
  planned.set(input, plan);
  return plan;
}

type TargetOutcome =
  | { readonly kind: 'target'; readonly target: FlagTarget }
  | { readonly kind: 'satisfied' }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'blocked'; readonly reason: string; readonly parameter?: string };

function targetFor(ensureStep: EnsureStep, ctx: NodeContext, variables: Readonly<Record<string, readonly string[]>>): TargetOutcome {
  const configured = stepComponent(ensureStep);
  if (configured === undefined) {
    if (ensureStep.kind === 'support-file')
      return { kind: 'blocked', reason: 'the file this flag names must be mounted into the pod, which RKE2/k3s need as an *-extra-mount: set it by hand' };
    return { kind: 'skipped' };
  }
  const { component, step } = configured;
  if (step.when !== undefined && ctx.parameters[step.when] !== true) {
    return ctx.parameters[step.when] === undefined
      ? { kind: 'blocked', reason: `opt-in needed: set parameter ${step.when}: true to let cis-fix make this change`, parameter: step.when }
      : { kind: 'skipped' };
  }
  const source = componentSource(component, ctx.facts, ctx.roles, variables);
  if (source.kind !== 'rancher-config') return { kind: 'blocked', reason: `${component} is configured by its own files on this node, but another step is not` };
  if (source.problem) return { kind: 'blocked', reason: source.problem };
  const dashed = step.flag;
  if (dashed === undefined)
    return {
      kind: 'blocked',
      reason: `${component} reads this setting only from its configuration file, which ${source.distribution} generates: no ${source.key} flag sets it`,
    };
  const flag = dashed.replace(/^--?/, '');
  const process = ctx.facts.components[component];
  if (!process)
    return { kind: 'blocked', reason: `${component} is not running on this node, so cis-fix cannot tell what ${source.distribution} starts it with` };
  const readings: FlagReading[] = flagOccurrences(process.argv, `--${flag}`).map((o) => ({
    value: o.value ?? 'true',
    form: o.form,
    singleDash: !(process.argv[o.index] ?? '').startsWith('--'),
  }));
  // The mount a static pod's file flag needs is RKE2/k3s's business (checked below), not an edit of the config file.
  const fix = fixFor({ flag: `--${flag}`, requirement: step.requirement }, readings, ctx.parameters, variables);
  switch (fix.kind) {
    case 'satisfied': {
      // The flag is absent and the requirement allows that, but the kubelet's own default fails it (evaluation said so): say it explicitly.
      const explicit =
        step.kind === 'kubelet-setting' && readings.length === 0 ? explicitValue(resolveRequirement(step.requirement, ctx.parameters, variables)) : undefined;
      return explicit === undefined
        ? { kind: 'satisfied' }
        : { kind: 'target', target: { source, flag, edits: [{ kind: 'set', flag: `--${flag}`, value: explicit }] } };
    }
    case 'edits': {
      if (step.kind === 'static-pod-flag' && step.needsFile && fix.after !== undefined && !underDistributionData(fix.after, source)) {
        return { kind: 'blocked', reason: `--${flag} names ${fix.after}, which the pod must mount: add it with ${component}-extra-mount by hand` };
      }
      if (step.kind === 'kubelet-setting' && step.fileMustExist && fix.after !== undefined && ctx.facts.paths[fix.after]?.exists !== true) {
        return { kind: 'blocked', reason: `--${flag} would name ${fix.after}, which does not exist on this node` };
      }
      const edits = fix.edits.filter((e): e is ArgumentEdit => e.kind !== 'mount');
      return { kind: 'target', target: { source, flag, edits } };
    }
    case 'needs-parameter':
      return { kind: 'blocked', reason: `set parameter ${fix.parameter} in the inventory`, parameter: fix.parameter };
    case 'needs-variable':
      return { kind: 'blocked', reason: `path variables without a value on this node: ${fix.variables.join(', ')}` };
    case 'invalid':
    case 'unfixable':
      return { kind: 'blocked', reason: fix.reason };
    default: {
      const never: never = fix;
      return never;
    }
  }
}

/** The value that satisfies a requirement when written out, for a flag whose absence a default fails. */
function explicitValue(resolved: ReturnType<typeof resolveRequirement>): string | undefined {
  if (resolved.kind !== 'resolved') return undefined;
  const r = resolved.requirement;
  switch (r.op) {
    case 'equals':
      return r.value;
    case 'not-equals':
      return r.fixValue;
    case 'at-least':
      return String(r.value);
    case 'present':
      return r.setIfAbsent || undefined;
    default:
      return undefined;
  }
}

/** The value the component uses: its last `--flag=value` (pflag's last wins); undefined when absent. */
function lastValue(argv: readonly string[], flag: string): string | undefined {
  const found = flagOccurrences(argv, `--${flag}`);
  const last = found[found.length - 1];
  return last === undefined ? undefined : (last.value ?? 'true');
}

/** Files RKE2 and k3s already mount into their static pods (their data directory). */
function underDistributionData(path: string, source: RancherConfigSourceOf): boolean {
  return path.startsWith(`/var/lib/rancher/${source.distribution}/`);
}

interface ChangesResult {
  readonly changes: RancherConfigChange[];
  /** The command line each component will run with, per component the edits touch. */
  readonly argv: ReadonlyMap<ArgComponent, readonly string[]>;
  /** Controls whose edit cannot be made, with why. */
  readonly refused: ReadonlyMap<string, string>;
}

function changesFor(accepted: readonly { control: EnsureControl; targets: FlagTarget[] }[], ctx: NodeContext): ChangesResult {
  // Per (key, flag), the edits of every control in turn (list edits compose: remove AlwaysAllow, add Node, add RBAC).
  const wanted = new Map<string, { target: FlagTarget; controls: Set<string>; value: string | undefined; running: string | undefined }>();
  for (const a of accepted) {
    for (const target of a.targets) {
      const id = `${target.source.key}\0${target.flag}`;
      const running = lastValue(ctx.facts.components[target.source.component]?.argv ?? [], target.flag);
      const entry = wanted.get(id) ?? { target, controls: new Set<string>(), value: running, running };
      for (const e of target.edits) {
        const readings = entry.value === undefined ? [] : [{ value: entry.value, form: 'equals' as const }];
        const intended = intendedFlagValue(readings, e);
        if (intended.kind === 'value') entry.value = intended.value;
      }
      entry.controls.add(a.control.id);
      wanted.set(id, entry);
    }
  }
  const refused = new Map<string, string>();
  const fileEdits = new Map<string, { file: RancherFile; edits: ArgEdit[]; controls: Set<string>; source: RancherConfigSourceOf }>();
  const argv = new Map<ArgComponent, readonly string[]>();
  for (const { target, controls, value } of wanted.values()) {
    const { source, flag } = target;
    const merged = argKeySources(source.files, source.key);
    if ('problem' in merged) {
      for (const id of controls) refused.set(id, merged.problem);
      continue;
    }
    const running = ctx.facts.components[source.component]?.argv ?? [];
    const fromConfig = merged.entries.some((e) => e.flag === flag);
    if (value === undefined && !fromConfig && flagOccurrences(running, `--${flag}`).length > 0) {
      for (const id of controls) refused.set(id, `${source.distribution} starts ${source.component} with --${flag} itself; no ${source.key} entry removes it`);
      continue;
    }
    const addTo = merged.winner ?? newEntryFile(source);
    const touched = new Set([...merged.contributors.map((c) => c.path), ...(value !== undefined ? [addTo] : [])]);
    // A file read only redacted is never edited (its `before` would carry the secret): refuse only when the edit must touch it.
    const secret = [...touched].find((path) => source.files.find((f) => f.path === path)?.redacted === true);
    if (secret !== undefined) {
      for (const id of controls) refused.set(id, secretHolderReason(secret, source));
      continue;
    }
    for (const path of touched) {
      const file = source.files.find((f) => f.path === path) ?? { path, text: '', exists: false, sha256: undefined, redacted: false };
      const entry = fileEdits.get(path) ?? { file, edits: [], controls: new Set<string>(), source };
      entry.edits.push({ key: source.key, flag, value, add: path === addTo });
      for (const id of controls) entry.controls.add(id);
      fileEdits.set(path, entry);
    }
    // RKE2's etcd keeps its command line (--config-file): etcdConfigConvincing judges what the restart writes into that file.
    if (!argsGoToGeneratedFile(source)) argv.set(source.component, withFlag(argv.get(source.component) ?? running, flag, value));
  }

  const changes: RancherConfigChange[] = [];
  for (const { file, edits, controls, source } of fileEdits.values()) {
    const result = editRancherConfig(file.text, edits);
    if (result.kind === 'problem') {
      for (const id of controls) refused.set(id, `${file.path}: ${result.problem}`);
      continue;
    }
    if (!result.changed) continue;
    const facts = file.exists ? ctx.facts.paths[file.path] : undefined;
    changes.push({
      id: `${ctx.name}:rancher-config:${file.path}`,
      node: ctx.name,
      controlIds: [...controls].sort(byControlId),
      kind: 'rancher-config',
      target: file.path,
      action: file.exists ? 'update' : 'create',
      precondition:
        facts?.exists && file.sha256
          ? { exists: true, sha256: file.sha256, mode: facts.mode, uid: facts.uid, gid: facts.gid }
          : { exists: false, sha256: undefined, mode: '', uid: -1, gid: -1 },
      restart: 'kubelet',
      service: source.service,
      edits: edits.map(describeArgEdit),
      diff: unifiedDiff(file.path, file.text, result.text),
      before: { sha256: file.sha256 ?? sha256('') },
      after: { content: result.text, sha256: sha256(result.text), gates: [] },
    });
  }
  // Every change of the node waits for the same restart: the gates are the node's.
  const gates = serviceGates(ctx.facts, argv);
  return { changes: changes.map((c) => ({ ...c, after: { ...c.after, gates } })), argv, refused };
}

/** The drop-in cis-fix creates for a key no file sets when config.yaml holds a secret (it may not be edited). */
export const CIS_FIX_DROP_IN = '90-cis-fix.yaml';

/**
 * Where a key that no file sets is added: config.yaml, unless it holds a
 * secret and config.yaml.d exists; then a drop-in of cis-fix's own (no other
 * file sets the key, so its place in the reading order changes nothing).
 */
function newEntryFile(source: RancherConfigSourceOf): string {
  const config = source.files.find((f) => f.path === source.configFile);
  return config?.redacted === true && source.dropInDir ? `${source.configFile}.d/${CIS_FIX_DROP_IN}` : source.configFile;
}

function secretHolderReason(path: string, source: RancherConfigSourceOf): string {
  return (
    `${path} holds a token or another secret, which cis-fix never copies into a plan, and ${source.key} must change there: ` +
    `move the secret to a file option such as token-file, or ${source.key} to a config.yaml.d drop-in`
  );
}

/** What the restart must bring back: every managed component running at plan time, with its new command line where edited. */
function serviceGates(facts: NodeFacts, argv: ReadonlyMap<ArgComponent, readonly string[]>): ServiceGate[] {
  return RESTART_ORDER.flatMap((component) => {
    const process = facts.components[component];
    if (!process) return [];
    const edited = argv.get(component as ArgComponent);
    return [{ component, argv: edited ?? process.argv, url: componentRow(component).healthUrl }];
  });
}

/**
 * The command line after the edit, as the distribution builds it (k3s
 * util.GetArgs): every occurrence of the flag replaced by one `--flag=value`
 * at its place in the sorted flags; nothing when the value is undefined.
 */
export function withFlag(argv: readonly string[], flag: string, value: string | undefined): string[] {
  const name = `--${flag}`;
  const drop = new Set(flagOccurrences(argv, name).flatMap((o) => (o.form === 'separate' ? [o.index, o.index + 1] : [o.index])));
  const rest = argv.filter((_, i) => !drop.has(i));
  if (value === undefined) return rest;
  const keyOf = (arg: string) => arg.replace(/^--?/, '').split('=')[0] ?? '';
  let at = rest.length;
  for (let i = 1; i < rest.length; i += 1) {
    const arg = rest[i] ?? '';
    if (arg.startsWith('-') && Buffer.compare(Buffer.from(keyOf(arg)), Buffer.from(flag)) > 0) {
      at = i;
      break;
    }
  }
  return [...rest.slice(0, at), `${name}=${value}`, ...rest.slice(at)];
}

/**
 * Whether kube-bench would pass the control on what the restart starts: its
 * process audits on the predicted command lines (RKE2), and its journal
 * audits on the lines k3s will log for them (journal-lines.ts): k3s logs
 * `Running <component> <argv>` as it starts each component it runs inside
 * its own process.
 */
function convincing(
  control: EnsureControl,
  facts: NodeFacts,
  argv: ReadonlyMap<ArgComponent, readonly string[]>,
  variables: Readonly<Record<string, readonly string[]>>,
): boolean {
  let verdictFacts = facts;
  if (argv.size > 0) {
    const processes = facts.processes.map((p) => {
      const edited = argv.get(p.component as ArgComponent);
      return edited && facts.components[p.component as ArgComponent]?.pid === p.pid ? { ...p, argv: edited } : p;
    });
    verdictFacts = { ...facts, processes, journals: predictedJournals(facts.journals, argv) };
  }
  // Process audits judged by kube-bench's rules; audits with a config file (the kubelet's) are judged on the flag alone, which wins.
  if (processAuditVerdict(control.kubeBench, verdictFacts) === 'FAIL') return false;
  return journalAuditVerdict(control.kubeBench, verdictFacts, variables) !== 'FAIL';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export type { ArgKey };
