import { flagValue } from '../facts/index.js';
import type { NodeFacts } from '../facts/types.js';
import type { KubeletSettingStep, SettingValue } from '../playbook/types.js';
import { featureGatePairs, flagSites, type FlagSite } from './kubelet/flag-sites.js';
import { reconstructKubeletCommandLine, type KubeletCommandLine, type WordOrigin } from './kubelet/kubelet-command-line.js';
import { readKubeletConfigFile, lookupConfigKey, type KubeletConfigFile } from './kubelet/kubelet-config-file.js';
import { featureGateOf, kubeletSettingSpec, type KubeletSettingSpec } from './kubelet/kubelet-defaults.js';
import { kubeletProblem, type KubeletProblem } from './kubelet/kubelet-problem.js';
import { kubeletArgv, type KubeletArgv } from './kubelet/running-argv.js';
import { configSettingValue, flagSettingValue, parseGoBool, parseGoDuration } from './kubelet/setting-value.js';
import { findDormantFlags } from './kubelet/dormant-flags.js';
import { argListSite, launchedCommandLine } from './kubelet/launched-command-line.js';
import { argListSource, type ArgListSource } from './component-source.js';

/**
 * The effective value of a kubelet setting and where it comes from, as the
 * kubelet resolves it (DESIGN.md §2, `kubelet-setting`): a command-line flag
 * wins over the `--config` file, which wins over the kubelet's default.
 * Pure: reads only the facts.
 */

/**
 * Where the effective value comes from.
 * - `flag`: the last occurrence of `flag` on the kubelet's command line.
 *   `file`/`variable`/`line` say which unit line or environment assignment
 *   produced it; all three are null when that cannot be known for certain
 *   (see the problems: argv mismatch, no unit). `variable` is null for a
 *   word written literally on the ExecStart line. When a distribution builds
 *   the command line (KubeletView.launcher), `variable` is its `*-arg` key
 *   and `file` the config file whose list sets the flag; both null for a
 *   flag the distribution sets itself.
 * - `config`: `key` in the KubeletConfiguration the kubelet's --config names.
 * - `default`: set nowhere; `basis` says which of the kubelet's two default
 *   sets applies (kubelet-defaults.ts).
 * - `unknown`: cis-fix cannot see a source that may set it (problems say which).
 */
export type KubeletSettingSource =
  | {
      readonly kind: 'flag';
      readonly flag: string;
      readonly file: string | null;
      readonly variable: string | null;
      readonly line: number | null;
      /** How many times the flag occurs; the kubelet (pflag) takes the last. */
      readonly occurrences: number;
    }
  | { readonly kind: 'config'; readonly file: string; readonly key: string; readonly line: number }
  | { readonly kind: 'default'; readonly basis: 'config-file' | 'command-line' }
  | { readonly kind: 'unknown' };

/**
 * Invariants: `value` is null iff the setting is unset with no known
 * default, or `source.kind` is `unknown`; problems with `blocking: true`
 * mean a fix must not be planned from this result.
 */
export interface EffectiveKubeletSetting {
  readonly value: SettingValue | null;
  readonly source: KubeletSettingSource;
  readonly problems: readonly KubeletProblem[];
  readonly spec: KubeletSettingSpec;
  /** The KubeletConfiguration the kubelet reads (its --config), undefined when it runs without one. */
  readonly configPath: string | undefined;
  /** Whose argv was read: the running process, or the unit when no kubelet runs. */
  readonly argvFrom: KubeletArgv['from'];
  /** How the value was derived, where that is not obvious (a zero the kubelet replaces by its default). */
  readonly notes: readonly string[];
}

/** Everything the kubelet-setting code reads about the node, computed once per facts. */
export interface KubeletView {
  /** The distribution that builds the kubelet's command line from a `*-arg` key (RKE2, k3s); undefined when systemd starts it from its unit. */
  readonly launcher: ArgListSource | undefined;
  readonly commandLine: KubeletCommandLine;
  readonly argv: KubeletArgv;
  readonly configPath: string | undefined;
  readonly config: KubeletConfigFile | undefined;
  readonly problems: readonly KubeletProblem[];
}

export function kubeletView(facts: NodeFacts): KubeletView {
  let view = views.get(facts);
  if (view === undefined) {
    view = computeKubeletView(facts);
    views.set(facts, view);
  }
  return view;
}

/**
 * Facts are never changed once gathered (a simulated edit makes new facts),
 * so a node's view is derived once and shared: evaluation and every kubelet
 * step of the planner ask for it (33 ms of CPU per drifted lab node before).
 */
const views = new WeakMap<NodeFacts, KubeletView>();

function computeKubeletView(facts: NodeFacts): KubeletView {
  // Who starts the kubelet is a fact of the node's layout: its unit, or a distribution's config files.
  const launcher = argListSource('kubelet', facts);
  const commandLine = launcher ? launchedCommandLine(launcher) : reconstructKubeletCommandLine(facts);
  const argv = kubeletArgv(facts, commandLine);
  const problems: KubeletProblem[] = [...commandLine.problems, ...argv.problems];
  const configPath = argv.argv ? flagValue(argv.argv, '--config') : undefined;
  const config = configPath !== undefined ? readKubeletConfigFile(facts, configPath) : undefined;
  if (argv.argv && configPath === undefined) {
    problems.push(kubeletProblem('no-config-file', 'the kubelet runs without --config: settings come from flags and the command-line defaults only'));
  }
  if (config?.problem) problems.push(config.problem);
  const configDir = argv.argv ? flagValue(argv.argv, '--config-dir') : undefined;
  if (configDir !== undefined) {
    problems.push(
      kubeletProblem(
        'config-dir',
        `the kubelet merges the drop-ins of --config-dir=${configDir} over its --config file; cis-fix does not read them`,
        configDir,
      ),
    );
  }
  return { launcher, commandLine, argv, configPath, config, problems };
}

export function effectiveKubeletSetting(
  facts: NodeFacts,
  step: Pick<KubeletSettingStep, 'configKey' | 'flag'>,
  view: KubeletView = kubeletView(facts),
): EffectiveKubeletSetting {
  const spec = kubeletSettingSpec(step.configKey, step.flag);
  const problems: KubeletProblem[] = [...view.problems];
  const base = { spec, configPath: view.configPath, argvFrom: view.argv.from };
  if (spec.flag !== undefined) problems.push(...findDormantFlags(facts, view.commandLine, spec.flag));
  const notes: string[] = [];
  const done = (value: SettingValue | null, source: KubeletSettingSource): EffectiveKubeletSetting => ({ ...base, value, source, problems, notes });

  const argv = view.argv.argv;
  if (argv === undefined) return done(null, { kind: 'unknown' });

  const gate = featureGateOf(spec.configKey);
  if (spec.flag !== undefined) {
    const sites = flagSites(argv, spec.flag, view.commandLine, view.argv.attributable);
    if (gate !== undefined) {
      // `--feature-gates=A=true,B=false`: the last pair naming the gate wins, over featureGates in the config.
      const carrying = sites.filter((s) => featureGatePairs(s.occurrence.value).some((p) => p.gate === gate));
      const last = carrying[carrying.length - 1];
      if (last) {
        const pairs = featureGatePairs(last.occurrence.value).filter((p) => p.gate === gate);
        const raw = pairs[pairs.length - 1]?.value ?? '';
        return done(parseGoBool(raw) ?? raw, flagSource(spec.flag, last, carrying.length, view.launcher));
      }
    } else {
      const withValue = sites.filter((s) => s.occurrence.value !== null || spec.type === 'boolean');
      const last = withValue[withValue.length - 1];
      if (last) return done(flagSettingValue(spec.type, last.occurrence.value), flagSource(spec.flag, last, sites.length, view.launcher));
    }
  }

  if (spec.configKey !== undefined && view.configPath !== undefined) {
    const config = view.config;
    if (config === undefined || config.data === undefined) return done(null, { kind: 'unknown' });
    const found = lookupConfigKey(config, spec.configKey);
    const value = found ? configSettingValue(found.value) : undefined;
    if (found && value !== undefined) {
      const source = { kind: 'config', file: config.path, key: spec.configKey, line: found.line } as const;
      if (spec.zeroInConfigMeansDefault && spec.configDefault !== undefined && isZero(value)) {
        notes.push(
          `${spec.configKey}: ${String(value)} in ${config.path} means the default ${String(spec.configDefault)}: the kubelet replaces a zero value in its config file`,
        );
        return done(spec.configDefault, source);
      }
      return done(value, source);
    }
  }
  if (problems.some((p) => p.kind === 'config-dir')) return done(null, { kind: 'unknown' });
  const basis = view.configPath !== undefined ? 'config-file' : 'command-line';
  const fallback = basis === 'config-file' ? spec.configDefault : spec.commandLineDefault;
  return done(fallback ?? null, { kind: 'default', basis });
}

function isZero(value: SettingValue): boolean {
  const text = String(value);
  return text === '0' || parseGoDuration(text) === 0;
}

function flagSource(flag: string, site: FlagSite, occurrences: number, launcher: ArgListSource | undefined): KubeletSettingSource {
  if (launcher) {
    const written = argListSite(launcher, flag);
    return { kind: 'flag', flag, file: written?.file ?? null, variable: written?.key ?? null, line: written?.line ?? null, occurrences };
  }
  const origin: WordOrigin | undefined = site.words?.[0]?.origin;
  if (origin === undefined) return { kind: 'flag', flag, file: null, variable: null, line: null, occurrences };
  switch (origin.kind) {
    case 'exec-start':
      return { kind: 'flag', flag, file: origin.site.file, variable: null, line: origin.site.line, occurrences };
    case 'variable':
      return { kind: 'flag', flag, file: origin.site.file, variable: origin.variable, line: origin.site.line, occurrences };
    case 'embedded':
      return { kind: 'flag', flag, file: origin.file, variable: origin.variables.join(','), line: origin.line, occurrences };
    default: {
      const never: never = origin;
      return never;
    }
  }
}
