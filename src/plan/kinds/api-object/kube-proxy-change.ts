/**
 * kube-proxy settings (4.3.1) on kubeadm: edit the KubeProxyConfiguration
 * embedded in the kube-system/kube-proxy ConfigMap (`config.conf`), keeping
 * every other line as it is (yaml Document API), then roll the DaemonSet so
 * the pods read it — kube-proxy reads its configuration only at start.
 *
 * Two ordered changes rather than one: each has its own object,
 * resourceVersion precondition and restoring patch, so a failed rollout can
 * be undone by restoring the ConfigMap and rolling again, and the journal
 * says which of the two happened. The rollout is a pod-template annotation
 * (like `kubectl rollout restart`), but its value is the sha256 of the new
 * configuration instead of a time: planning stays pure and deterministic,
 * and a second apply of the same configuration rolls nothing.
 * Pure.
 */
import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import type { KubeProxyConfigMapFacts, KubeProxyDaemonSetFacts } from '../../../facts/cluster/types.js';
import { apiObjectChangeId, describeApiObject, type ApiObjectPatch, type ApiObjectRef } from '../../../model/api-object-change.js';
import type { SettingValue } from '../../../playbook/types.js';
import { unifiedDiff } from '../../edits/unified-diff.js';
import { patchDiff, restoringPatch } from '../../api-object/merge-patch.js';

export const ROLLOUT_ANNOTATION = 'cis-fix/kube-proxy-config-sha256';

export type KubeProxyPlan = { readonly kind: 'changes'; readonly changes: readonly ApiObjectPatch[] } | { readonly kind: 'blocked'; readonly reason: string };

/** config.conf with `configKey` set to `value`, everything else byte-for-byte where the yaml library allows. */
export function editKubeProxyConfig(text: string, configKey: string, value: SettingValue): { readonly text: string } | { readonly problem: string } {
  const doc = parseDocument(text);
  if (doc.errors.length) return { problem: `config.conf is not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}` };
  if (doc.contents === null || !('items' in doc.contents)) return { problem: 'config.conf is not a KubeProxyConfiguration mapping' };
  doc.setIn(configKey.split('.'), value);
  return { text: doc.toString({ lineWidth: 0 }) };
}

export function planKubeProxySetting(
  controlIds: readonly string[],
  configKey: string,
  value: SettingValue,
  configMap: KubeProxyConfigMapFacts | undefined,
  daemonSet: KubeProxyDaemonSetFacts | undefined,
): KubeProxyPlan {
  if (!configMap?.configConf)
    return {
      kind: 'blocked',
      reason: 'no kube-system/kube-proxy ConfigMap with config.conf: kube-proxy is not deployed the kubeadm way; set the value where your kube-proxy reads it',
    };
  if (!daemonSet) return { kind: 'blocked', reason: 'no kube-system/kube-proxy DaemonSet to restart after the ConfigMap change' };
  const edited = editKubeProxyConfig(configMap.configConf, configKey, value);
  if ('problem' in edited) return { kind: 'blocked', reason: `ConfigMap kube-system/kube-proxy: ${edited.problem}` };

  const cmRef: ApiObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' };
  const cmPatch = { data: { 'config.conf': edited.text } };
  const configChange: ApiObjectPatch = {
    kind: 'api-object',
    id: apiObjectChangeId(cmRef),
    node: undefined,
    controlIds,
    target: describeApiObject(cmRef),
    object: cmRef,
    action: 'patch',
    precondition: { resourceVersion: configMap.resourceVersion },
    patch: cmPatch,
    before: { data: { 'config.conf': configMap.configConf } },
    after: [],
    diff: unifiedDiff('kube-system/kube-proxy:config.conf', configMap.configConf, edited.text),
    notes: ['kube-proxy reads config.conf only when it starts: the DaemonSet is rolled next'],
    dryRunWarnings: [],
  };

  const dsRef: ApiObjectRef = { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'kube-system', name: 'kube-proxy' };
  const dsPatch = { spec: { template: { metadata: { annotations: { [ROLLOUT_ANNOTATION]: createHash('sha256').update(edited.text).digest('hex') } } } } };
  const dsCurrent = { spec: { template: { metadata: { annotations: daemonSet.templateAnnotations } } } };
  const dsBefore = restoringPatch(dsCurrent, dsPatch);
  const rollout: ApiObjectPatch = {
    kind: 'api-object',
    id: apiObjectChangeId(dsRef),
    node: undefined,
    controlIds,
    target: describeApiObject(dsRef),
    object: dsRef,
    action: 'patch',
    precondition: { resourceVersion: daemonSet.resourceVersion },
    patch: dsPatch,
    before: dsBefore,
    after: [configChange.id],
    diff: patchDiff(describeApiObject(dsRef), daemonSet.resourceVersion, dsBefore, dsPatch),
    notes: ["rolling restart of kube-proxy on every node, one pod at a time (the DaemonSet's update strategy)"],
    dryRunWarnings: [],
  };
  return { kind: 'changes', changes: [configChange, rollout] };
}
