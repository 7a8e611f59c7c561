import { normalizePath } from '../../facts/index.js';
import type { NodeFacts } from '../../facts/types.js';
import type { KubeBenchCheck, ParameterValue, Requirement, SettingValue } from '../../playbook/types.js';
import type { EffectiveKubeletSetting, KubeletView } from '../kubelet-setting.js';
import { featureGatePairs, flagSites, type FlagSite } from './flag-sites.js';
import { configOutput } from './kube-bench-verdict.js';
import { readKubeletConfigFile } from './kubelet-config-file.js';
import { featureGateOf } from './kubelet-defaults.js';
import { judgeKubeletSetting, type SettingJudgement, type Variables } from './judge-setting.js';
import { flagSettingValue, parseGoBool } from './setting-value.js';

/**
 * Kubelet settings that kube-bench can only see on the kubelet's command
 * line, and how such a setting is judged there. Pure.
 *
 * kube-bench reads a kubelet check's `path` items from `cat $kubeletconf`,
 * the first existing candidate of its list, which need not be the kubelet's
 * --config. When that file is not a KubeletConfiguration at all (AKS:
 * /etc/kubernetes/azure.json, the cloud config), only the flag on the
 * `ps` line counts: a value in the kubelet's --config, however effective,
 * does not satisfy kube-bench. Such a setting must stand on the command
 * line, where the node's other flags stand.
 */

/**
 * Why kube-bench sees `check`'s setting only on the command line of this
 * node, or undefined when it also reads a KubeletConfiguration (or the
 * check does not read a config file at all: its flag-only meaning is then
 * the step's own, and the kubelet-setting planner keeps its usual route).
 */
export function kubeBenchReadsCommandLineOnly(check: KubeBenchCheck, facts: NodeFacts, kubeletConfigPath: string | undefined): string | undefined {
  const audit = check.audit;
  if (check.type !== 'automated' || audit?.source !== 'process' || audit.process !== 'kubelet' || audit.config === undefined) return undefined;
  const path = normalizePath(facts.resolvedPaths.kubeletConfig.kubeBenchPath);
  if (kubeletConfigPath !== undefined && normalizePath(kubeletConfigPath) === path) return undefined;
  if (configOutput(facts, path).kind !== 'text') return undefined;
  // A document kube-bench can read (JSON or YAML) that holds no kubelet settings: a cloud config. A file it cannot parse
  // (a systemd unit, kube-bench's fallback candidates) is left to the usual route, which refuses what kube-bench would not pass.
  const data = readKubeletConfigFile(facts, path).data;
  if (data === undefined || data['kind'] === 'KubeletConfiguration') return undefined;
  return `kube-bench reads ${path} as the kubelet's config, which is not a KubeletConfiguration: it sees this setting only on the kubelet's command line`;
}

/** One occurrence of the setting on the command line, with its value as the kubelet parses it. */
export interface CommandLineOccurrence {
  readonly site: FlagSite;
  readonly value: SettingValue;
  readonly compliant: boolean;
}

export interface CommandLineJudgement extends SettingJudgement {
  /** Every occurrence that sets the setting (for a feature gate: every --feature-gates naming it), in argv order. */
  readonly occurrences: readonly CommandLineOccurrence[];
}

/**
 * Where only the command line counts: every occurrence of the flag must
 * comply (kube-bench takes the first, the kubelet the last). Without one,
 * the setting complies only when the requirement lets it be unset and what
 * the kubelet then uses complies (`current`: its config file or default),
 * which kube-bench's `set: false` alternatives accept too.
 */
export function judgeOnCommandLine(
  view: KubeletView,
  current: EffectiveKubeletSetting,
  requirement: Requirement,
  parameters: Readonly<Record<string, ParameterValue>>,
  variables: Variables,
): CommandLineJudgement {
  const effective = judgeKubeletSetting(current, requirement, parameters, variables);
  const expected = `${effective.expected}, on the kubelet's command line`;
  const argv = view.argv.argv;
  const spec = current.spec;
  if (argv === undefined || spec.flag === undefined || effective.undetermined) return { ...effective, compliant: false, expected, occurrences: [] };
  const gate = featureGateOf(spec.configKey);
  const occurrences = flagSites(argv, spec.flag, view.commandLine, view.argv.attributable).flatMap((site): CommandLineOccurrence[] => {
    let value: SettingValue;
    if (gate !== undefined) {
      const pairs = featureGatePairs(site.occurrence.value).filter((p) => p.gate === gate);
      const raw = pairs[pairs.length - 1]?.value;
      if (raw === undefined) return [];
      value = parseGoBool(raw) ?? raw;
    } else {
      if (site.occurrence.value === null && spec.type !== 'boolean') return [];
      value = flagSettingValue(spec.type, site.occurrence.value);
    }
    const source = { kind: 'flag', flag: spec.flag as string, file: null, variable: null, line: null, occurrences: 1 } as const;
    return [{ site, value, compliant: judgeKubeletSetting({ value, source, spec }, requirement, parameters, variables).compliant }];
  });
  if (occurrences.length > 0) return { ...effective, expected, compliant: occurrences.every((o) => o.compliant), occurrences };
  return { ...effective, expected, compliant: unsetAllowed(requirement) && effective.compliant, occurrences };
}

function unsetAllowed(requirement: Requirement): boolean {
  switch (requirement.op) {
    case 'equals':
    case 'not-equals':
      return requirement.allowAbsent;
    case 'absent':
    case 'not-contains-element':
      return true;
    case 'at-least':
    case 'present':
    case 'contains-element':
    case 'elements-within':
      return false;
    default: {
      const never: never = requirement;
      return never;
    }
  }
}
