/**
 * kube-proxy settings (4.3.x, kube-proxy-setting steps) read where kube-proxy
 * takes them on kubeadm: a flag on the kube-proxy DaemonSet's container wins
 * over the KubeProxyConfiguration in the kube-system/kube-proxy ConfigMap
 * (`config.conf`). Pure.
 */
import { parseDocument } from 'yaml';
import type { KubeProxyConfigMapFacts, KubeProxyDaemonSetFacts } from '../../facts/cluster/types.js';
import type { KubeProxySettingStep, SettingValue } from '../../playbook/types.js';
import type { ClusterVerdict } from './cluster-finding.js';

export type KubeProxySetting =
  | { readonly source: 'flag'; readonly value: string }
  | { readonly source: 'config'; readonly value: unknown }
  | { readonly source: 'unset' }
  | { readonly source: 'problem'; readonly problem: string };

/** The value of a dotted key in a YAML text, or why it cannot be read. */
export function configValue(yamlText: string, dottedKey: string): { readonly found: boolean; readonly value?: unknown; readonly problem?: string } {
  const doc = parseDocument(yamlText);
  if (doc.errors.length) return { found: false, problem: `config.conf is not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}` };
  const value = doc.getIn(dottedKey.split('.'));
  return value === undefined
    ? { found: false }
    : { found: true, value: typeof value === 'object' && value !== null && 'toJSON' in value ? (value as { toJSON(): unknown }).toJSON() : value };
}

export function readKubeProxySetting(
  step: KubeProxySettingStep,
  configMap: KubeProxyConfigMapFacts | undefined,
  daemonSet: KubeProxyDaemonSetFacts | undefined,
): KubeProxySetting {
  const flag = daemonSet?.command.map((a) => /^(--[^=]+)=(.*)$/.exec(a)).find((m) => m?.[1] === step.flag);
  if (flag) return { source: 'flag', value: flag[2] ?? '' };
  if (!configMap?.configConf) return { source: 'unset' };
  const read = configValue(configMap.configConf, step.configKey);
  if (read.problem) return { source: 'problem', problem: read.problem };
  return read.found ? { source: 'config', value: read.value } : { source: 'unset' };
}

/** Whether the setting satisfies an `equals` requirement (empty counts as unset: kube-proxy then uses its default). */
export function kubeProxySatisfies(step: KubeProxySettingStep, setting: KubeProxySetting, expected: SettingValue): boolean {
  if (setting.source === 'problem') return false;
  const value = setting.source === 'unset' ? undefined : setting.value;
  if (value === undefined || value === null || value === '') return step.requirement.op === 'equals' && step.requirement.allowAbsent;
  return String(value) === String(expected);
}

/** 4.3.1 and its kin, cluster-wide: where the setting is and whether it complies. */
export function evaluateKubeProxySetting(
  step: KubeProxySettingStep,
  expected: SettingValue,
  configMap: KubeProxyConfigMapFacts | undefined,
  daemonSet: KubeProxyDaemonSetFacts | undefined,
): ClusterVerdict {
  const setting = readKubeProxySetting(step, configMap, daemonSet);
  const ok = kubeProxySatisfies(step, setting, expected);
  const where =
    setting.source === 'flag'
      ? `DaemonSet kube-system/kube-proxy: ${step.flag}=${setting.value}`
      : setting.source === 'config'
        ? `ConfigMap kube-system/kube-proxy config.conf: ${step.configKey}: ${JSON.stringify(setting.value)}`
        : setting.source === 'problem'
          ? `ConfigMap kube-system/kube-proxy: ${setting.problem}`
          : configMap
            ? `ConfigMap kube-system/kube-proxy config.conf: ${step.configKey} not set`
            : 'no kube-system/kube-proxy ConfigMap';
  return {
    expected: `${step.configKey}: ${String(expected)}${step.requirement.op === 'equals' && step.requirement.allowAbsent ? ' (or unset)' : ''}`,
    failing: ok ? [] : [where],
    exempt: [],
    checked: where,
  };
}
