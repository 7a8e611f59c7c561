import { existsFollowing, normalizePath } from '../../facts/index.js';
import type { NodeFacts } from '../../facts/types.js';
import { effectiveKubeletSetting, kubeletView, type EffectiveKubeletSetting, type KubeletView } from '../../evaluate/kubelet-setting.js';
import { judgeOnCommandLine, type CommandLineJudgement } from '../../evaluate/kubelet/command-line-setting.js';
import { featureGatePairs, flagSites } from '../../evaluate/kubelet/flag-sites.js';
import { lookupConfigKey, readKubeletConfigFile } from '../../evaluate/kubelet/kubelet-config-file.js';
import { featureGateOf } from '../../evaluate/kubelet/kubelet-defaults.js';
import { judgeKubeletSetting, settingTarget, type SettingJudgement, type SettingTarget, type Variables } from '../../evaluate/kubelet/judge-setting.js';
import { configSettingValue, sameSettingValue, formatSettingValue } from '../../evaluate/kubelet/setting-value.js';
import type { KubeletSettingStep, ParameterValue, SettingValue } from '../../playbook/types.js';
import { setKubeletConfigKey } from './kubelet-config-key.js';
import { flagEdits, removeOccurrence, withoutElement, withoutFeatureGate, type OccurrenceRewrite } from './kubelet-flag-edits.js';
import { factsAfterKubeletEdits } from './kubelet-simulate.js';
import { appendFlagWord, rewriteFlagValue, type InPlaceFlagEdit } from './kubelet-flag-in-place.js';
import { applySplices, type Splice } from './text-splice.js';
import { unifiedDiff } from './unified-diff.js';

/**
 * The fix for one kubelet setting as pure edits (DESIGN.md §2,
 * `kubelet-setting`): edit the source that wins. Every occurrence of an
 * overriding flag is removed where systemd reads it (environment file,
 * drop-in, unit); then, if the value the kubelet would fall back to is
 * still not compliant, the key is set in the KubeletConfiguration the
 * kubelet really uses (its --config). A second, conflicting source is never
 * added. The planned edits are checked by simulating the node after them
 * and a kubelet restart: the setting must then be compliant, from the
 * config file or default (a flag-only setting: absent).
 */

/**
 * One file's edit. Invariants: `before` is the file's verbatim gathered
 * text (never redacted) and hashes to `beforeSha256`; `after !== before`;
 * `diff` is the unified diff of the two.
 */
export interface KubeletFileEdit {
  readonly path: string;
  readonly before: string;
  readonly after: string;
  readonly beforeSha256: string | null;
  readonly diff: string;
  /** What changes, one line each: "remove --authorization-mode=AlwaysAllow from KUBELET_KUBEADM_ARGS (…)". */
  readonly changes: readonly string[];
  /** The file is a systemd unit or drop-in: `systemctl daemon-reload` must run before the restart. */
  readonly daemonReload: boolean;
  /** `kube-bench`: the file kube-bench reads instead of the kubelet's --config; edited so that its verdict matches. */
  readonly purpose: 'kubelet' | 'kube-bench';
}

interface FixBase {
  readonly current: EffectiveKubeletSetting;
  readonly judgement: SettingJudgement;
}

/**
 * - `compliant`: nothing to do.
 * - `fix`: `edits` make it compliant after one kubelet restart; `after` is
 *   the setting as the restarted kubelet would resolve it.
 * - `needs-parameter`: the fix needs a value only the user can choose.
 * - `declined`: an opt-in step whose parameter is false.
 * - `not-fixable`: `reasons` say why and what to do by hand.
 */
export type KubeletSettingFix =
  | (FixBase & { readonly kind: 'compliant' })
  | (FixBase & {
      readonly kind: 'fix';
      readonly after: EffectiveKubeletSetting;
      readonly edits: readonly KubeletFileEdit[];
      readonly restart: 'kubelet';
      readonly daemonReload: boolean;
      readonly notes: readonly string[];
    })
  | (FixBase & { readonly kind: 'needs-parameter'; readonly parameter: string; readonly reason: string })
  | (FixBase & { readonly kind: 'declined'; readonly parameter: string; readonly reason: string })
  | (FixBase & { readonly kind: 'not-fixable'; readonly reasons: readonly string[] });

/**
 * `placement`: where the fix must put the setting. `effective-source` (the
 * default) edits the source that wins, as above; `command-line` is for a
 * node where kube-bench sees the setting only on the kubelet's command line
 * (kubelet/command-line-setting.ts): the flag's value is rewritten where it
 * stands, or the flag appended where the other flags stand.
 */
export type KubeletStepInput = Pick<KubeletSettingStep, 'configKey' | 'flag' | 'requirement' | 'fileMustExist' | 'when'> & {
  readonly placement?: 'effective-source' | 'command-line';
};

/** Working copies of the files being edited. */
class FileTexts {
  readonly texts = new Map<string, string>();
  readonly changes = new Map<string, string[]>();
  readonly purposes = new Map<string, 'kubelet' | 'kube-bench'>();

  constructor(private readonly facts: NodeFacts) {}

  /** The current text of a file that may be edited, or why it may not. */
  editable(path: string): { text: string } | { reason: string } {
    const key = normalizePath(path);
    const pending = this.texts.get(key);
    if (pending !== undefined) return { text: pending };
    const entry = this.facts.paths[key];
    if (!entry?.exists) return { reason: `${key} was not gathered` };
    if (entry.content.kind !== 'text')
      return { reason: `the content of ${key} was not gathered (${entry.content.kind === 'withheld' ? entry.content.reason : 'not a configuration file'})` };
    if (!entry.content.verbatim)
      return { reason: `${key} was gathered with credentials redacted (or changed while read): cis-fix never edits a file it has not seen byte for byte` };
    return { text: entry.content.text };
  }

  set(path: string, text: string, change: string, purpose: 'kubelet' | 'kube-bench' = 'kubelet'): void {
    const key = normalizePath(path);
    this.texts.set(key, text);
    this.changes.set(key, [...(this.changes.get(key) ?? []), change]);
    if (!this.purposes.has(key)) this.purposes.set(key, purpose);
  }
}

export function planKubeletSettingFix(
  facts: NodeFacts,
  step: KubeletStepInput,
  parameters: Readonly<Record<string, ParameterValue>>,
  variables: Variables = {},
): KubeletSettingFix {
  const view = kubeletView(facts);
  const current = effectiveKubeletSetting(facts, step, view);
  const onCommandLine = step.placement === 'command-line' ? judgeOnCommandLine(view, current, step.requirement, parameters, variables) : undefined;
  const judgement = onCommandLine ?? judgeKubeletSetting(current, step.requirement, parameters, variables);
  const base = { current, judgement };
  if (judgement.compliant) return { ...base, kind: 'compliant' };
  // An opt-in step (workload impact) is only planned once the user said yes.
  if (step.when !== undefined) {
    const optIn = parameters[step.when];
    if (optIn === undefined)
      return {
        ...base,
        kind: 'needs-parameter',
        parameter: step.when,
        reason: `this change is opt-in: set parameter ${step.when} to true (or false to decline)`,
      };
    if (optIn !== true) return { ...base, kind: 'declined', parameter: step.when, reason: `parameter ${step.when} is false` };
  }
  const notFixable = (...reasons: string[]): KubeletSettingFix => ({ ...base, kind: 'not-fixable', reasons });
  const blocking = current.problems.filter((p) => p.blocking);
  if (blocking.length > 0) return notFixable(...blocking.map((p) => p.message));
  if (judgement.needsParameter !== undefined) {
    return {
      ...base,
      kind: 'needs-parameter',
      parameter: judgement.needsParameter,
      reason: `set parameter ${judgement.needsParameter} under parameters: in the inventory`,
    };
  }
  const target = settingTarget(step.requirement, parameters, variables);
  if (target.kind === 'needs-parameter')
    return { ...base, kind: 'needs-parameter', parameter: target.parameter, reason: `set parameter ${target.parameter} under parameters: in the inventory` };
  if (target.kind === 'unresolved') return notFixable(target.reason);
  if (onCommandLine) {
    const missing = step.fileMustExist && target.kind === 'value' ? fileMissing(facts, target.value) : undefined;
    return missing ? notFixable(missing) : fixOnCommandLine(facts, view, step, target, { current, judgement: onCommandLine }, parameters, variables);
  }
  const spec = current.spec;
  const files = new FileTexts(facts);
  const notes: string[] = [];

  // 1. Take the overriding flag off the command line, where systemd reads it.
  if (spec.flag !== undefined && view.argv.argv !== undefined) {
    const gate = featureGateOf(spec.configKey);
    let rewrite: OccurrenceRewrite;
    if (gate !== undefined) rewrite = withoutFeatureGate(gate);
    else if (target.kind === 'remove-element') rewrite = withoutElement(target.element);
    else if (target.kind === 'add-element') return notFixable(`cis-fix does not add elements to kubelet flags: add ${target.element} to ${spec.flag} by hand`);
    else rewrite = removeOccurrence;
    const textOf = (file: string): string => {
      const text = files.editable(file);
      return 'text' in text ? text.text : '';
    };
    const plan = flagEdits(spec.flag, flagSites(view.argv.argv, spec.flag, view.commandLine, view.argv.attributable), rewrite, textOf);
    if (plan.kind === 'blocked') return notFixable(...plan.reasons);
    for (const [file, edits] of plan.byFile) {
      const text = files.editable(file);
      if ('reason' in text) return notFixable(text.reason);
      files.set(file, applySplices(text.text, edits), (plan.summaries.get(file) ?? []).join('; ') || `edit ${spec.flag}`);
    }
  }

  // 2. If what the kubelet falls back to is still not compliant, set the key in its --config file.
  let simulated = files.texts.size > 0 ? factsAfterKubeletEdits(facts, files.texts) : facts;
  let after = effectiveKubeletSetting(simulated, step);
  if (!judgeKubeletSetting(after, step.requirement, parameters, variables).compliant) {
    if (spec.configKey === undefined) return notFixable(`${spec.flag ?? 'the setting'} exists only as a flag and cis-fix only removes flags: set it by hand`);
    if (target.kind === 'remove')
      return notFixable(`${spec.configKey} is set in the kubelet's config file and cis-fix does not delete config keys: remove it by hand`);
    if (target.kind !== 'value') return notFixable(`cis-fix does not edit list elements of ${spec.configKey} in the config file: change it by hand`);
    const configPath = view.configPath;
    if (configPath === undefined)
      return notFixable(`the kubelet runs without --config: cis-fix will not add a config file (a second source); set ${spec.configKey} by hand`);
    if (step.fileMustExist) {
      const missing = fileMissing(facts, target.value);
      if (missing) return notFixable(missing);
    }
    const text = files.editable(configPath);
    if ('reason' in text) return notFixable(text.reason);
    const edit = setKubeletConfigKey(text.text, spec.configKey, target.value, configPath);
    if (edit.kind === 'unsupported') return notFixable(`${configPath}: ${edit.reason}`);
    if (edit.kind === 'edited') files.set(configPath, edit.after, `set ${spec.configKey}: ${formatSettingValue(target.value)}`);
    simulated = factsAfterKubeletEdits(facts, files.texts);
    after = effectiveKubeletSetting(simulated, step);
  }

  // 3. kube-bench reads its own candidate, which may not be the kubelet's --config: keep it in step when it is another KubeletConfiguration.
  if (spec.configKey !== undefined && target.kind === 'value' && after.source.kind !== 'flag') {
    const mirrored = mirrorForKubeBench(facts, view, files, spec.configKey, after.value ?? target.value, spec.type);
    if (mirrored) notes.push(mirrored);
  }

  // 4. Check: after the restart the setting must be compliant, and come from where the fix put it.
  const finalFacts = files.texts.size > 0 ? factsAfterKubeletEdits(facts, files.texts) : facts;
  after = effectiveKubeletSetting(finalFacts, step);
  const afterJudgement = judgeKubeletSetting(after, step.requirement, parameters, variables);
  if (!afterJudgement.compliant || (spec.configKey !== undefined && after.source.kind === 'flag')) {
    return notFixable(`after the planned edits the kubelet would still use ${formatSettingValue(after.value)} (${after.source.kind}); change it by hand`);
  }
  if (files.texts.size === 0) return notFixable('cis-fix found nothing to edit although the setting is not compliant');
  const edits = buildEdits(facts, files);
  return { ...base, kind: 'fix', after, edits, restart: 'kubelet', daemonReload: edits.some((e) => e.daemonReload), notes };
}

function fileMissing(facts: NodeFacts, value: SettingValue): string | undefined {
  if (typeof value !== 'string') return undefined;
  const path = normalizePath(value);
  if (!(path in facts.paths)) return `cis-fix did not look at ${path}, which the setting must name: it cannot tell whether it exists`;
  if (!existsFollowing(facts.paths, path))
    return `${path} does not exist on this node: create it (or choose another file with the parameter) before the kubelet is pointed at it`;
  return undefined;
}

function mirrorForKubeBench(
  facts: NodeFacts,
  view: KubeletView,
  files: FileTexts,
  key: string,
  value: SettingValue,
  type: EffectiveKubeletSetting['spec']['type'],
): string | undefined {
  const kubeBenchPath = normalizePath(facts.resolvedPaths.kubeletConfig.kubeBenchPath);
  if (view.configPath === undefined || kubeBenchPath === normalizePath(view.configPath)) return undefined;
  const file = readKubeletConfigFile(facts, kubeBenchPath);
  if (!file.data || file.data['kind'] !== 'KubeletConfiguration') {
    return `kube-bench reads ${kubeBenchPath}, not the kubelet's --config ${view.configPath}; it is not a KubeletConfiguration cis-fix could keep in step, so kube-bench may still report this control`;
  }
  const existing = lookupConfigKey(file, key);
  if (existing && sameSettingValue(type, existing.value as SettingValue, value)) return undefined;
  const text = files.editable(kubeBenchPath);
  if ('reason' in text) return `kube-bench reads ${kubeBenchPath}, which cis-fix may not edit (${text.reason})`;
  const edit = setKubeletConfigKey(text.text, key, value, kubeBenchPath);
  if (edit.kind !== 'edited') return edit.kind === 'unsupported' ? `kube-bench reads ${kubeBenchPath}: ${edit.reason}` : undefined;
  files.set(kubeBenchPath, edit.after, `set ${key}: ${formatSettingValue(value)} (the kubelet does not read this file; kube-bench does)`, 'kube-bench');
  return `also set ${key} in ${kubeBenchPath}: kube-bench reads that file instead of the kubelet's --config ${view.configPath}`;
}

function buildEdits(facts: NodeFacts, files: FileTexts): KubeletFileEdit[] {
  const units = new Set(
    [facts.kubeletService.unitFile, ...facts.kubeletService.dropIns.map((d) => d.path)].filter((p): p is string => p !== null).map(normalizePath),
  );
  return [...files.texts].map(([path, after]) => {
    const entry = facts.paths[path];
    const before = entry?.exists && entry.content.kind === 'text' ? entry.content.text : '';
    const sha = entry?.exists ? (entry.followed?.sha256 ?? entry.sha256) : null;
    return {
      path,
      before,
      after,
      beforeSha256: sha ?? null,
      diff: unifiedDiff(path, before, after),
      changes: files.changes.get(path) ?? [],
      daemonReload: units.has(path),
      purpose: files.purposes.get(path) ?? 'kubelet',
    };
  });
}

/** A value as the kubelet's flag parser reads it back (`true`, `0`, `4h0m0s`, `a,b`). */
function flagText(value: SettingValue): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * The fix where kube-bench sees only the command line: every occurrence of
 * the flag that does not comply gets the target value in place (a feature
 * gate: its pair in --feature-gates); without one, the flag is appended
 * where the other flags stand. The flag then wins over the --config file;
 * a config key that says otherwise is set to the same value, so that the
 * two sources do not disagree.
 */
function fixOnCommandLine(
  facts: NodeFacts,
  view: KubeletView,
  step: KubeletStepInput,
  target: SettingTarget,
  base: FixBase & { readonly judgement: CommandLineJudgement },
  parameters: Readonly<Record<string, ParameterValue>>,
  variables: Variables,
): KubeletSettingFix {
  const notFixable = (...reasons: string[]): KubeletSettingFix => ({ ...base, kind: 'not-fixable', reasons });
  const spec = base.current.spec;
  const flag = spec.flag;
  if (flag === undefined) return notFixable(`${spec.configKey ?? 'the setting'} has no command-line flag, and kube-bench sees only the command line here`);
  if (target.kind !== 'value')
    return notFixable(`kube-bench sees ${flag} only on the command line, and cis-fix sets a single value there only: change ${flag} by hand`);
  const judgement = base.judgement;
  const gate = featureGateOf(spec.configKey);
  const value = flagText(target.value);
  const files = new FileTexts(facts);
  const textOf = (file: string): string => {
    const text = files.editable(file);
    return 'text' in text ? text.text : '';
  };
  const planned: InPlaceFlagEdit[] = [];
  if (judgement.occurrences.length > 0) {
    for (const occurrence of judgement.occurrences.filter((o) => !o.compliant)) {
      const newValue =
        gate === undefined
          ? value
          : featureGatePairs(occurrence.site.occurrence.value)
              .map((p) => `${p.gate}=${p.gate === gate ? value : p.value}`)
              .join(',');
      planned.push(rewriteFlagValue(flag, occurrence.site, newValue, textOf));
    }
  } else if (gate !== undefined && view.argv.argv !== undefined) {
    // Another gate list is on the command line: the gate joins it rather than a second --feature-gates.
    const sites = flagSites(view.argv.argv, flag, view.commandLine, view.argv.attributable).filter((s) => s.occurrence.form === 'equals');
    const last = sites[sites.length - 1];
    planned.push(
      last
        ? rewriteFlagValue(flag, last, `${last.occurrence.value ?? ''}${last.occurrence.value ? ',' : ''}${gate}=${value}`, textOf)
        : appendFlagWord(`${flag}=${gate}=${value}`, view.commandLine),
    );
  } else {
    planned.push(appendFlagWord(`${flag}=${value}`, view.commandLine));
  }
  const blocked = planned.flatMap((p) => (p.kind === 'blocked' ? [p.reason] : []));
  if (blocked.length > 0) return notFixable(...blocked);
  const byFile = new Map<string, { splices: Splice[]; summaries: string[] }>();
  for (const p of planned) {
    if (p.kind !== 'edit') continue;
    const entry = byFile.get(p.file) ?? { splices: [], summaries: [] };
    entry.splices.push(p.splice);
    entry.summaries.push(p.summary);
    byFile.set(p.file, entry);
  }
  for (const [file, { splices, summaries }] of byFile) {
    const text = files.editable(file);
    if ('reason' in text) return notFixable(text.reason);
    files.set(file, applySplices(text.text, splices), summaries.join('; '));
  }

  // The flag wins in the kubelet; the config file is kept from saying something else.
  const config = view.config;
  if (spec.configKey !== undefined && view.configPath !== undefined && config?.data !== undefined) {
    const existing = lookupConfigKey(config, spec.configKey);
    const configured = existing ? configSettingValue(existing.value) : undefined;
    if (configured !== undefined && !sameSettingValue(spec.type, configured, target.value)) {
      const text = files.editable(view.configPath);
      if ('reason' in text) return notFixable(text.reason);
      const edit = setKubeletConfigKey(text.text, spec.configKey, target.value, view.configPath);
      if (edit.kind === 'unsupported') return notFixable(`${view.configPath}: ${edit.reason}`);
      if (edit.kind === 'edited')
        files.set(view.configPath, edit.after, `set ${spec.configKey}: ${formatSettingValue(target.value)} (as the flag says, which wins)`);
    }
  }

  const simulated = factsAfterKubeletEdits(facts, files.texts);
  const afterView = kubeletView(simulated);
  const after = effectiveKubeletSetting(simulated, step, afterView);
  if (!judgeOnCommandLine(afterView, after, step.requirement, parameters, variables).compliant || after.source.kind !== 'flag') {
    return notFixable(`after the planned edits the kubelet's command line would still not say ${flag}=${value}; change it by hand`);
  }
  const edits = buildEdits(facts, files);
  const notes = [`set on the kubelet's command line: kube-bench reads ${facts.resolvedPaths.kubeletConfig.kubeBenchPath}, not the kubelet's --config`];
  return { ...base, kind: 'fix', after, edits, restart: 'kubelet', daemonReload: edits.some((e) => e.daemonReload), notes };
}
