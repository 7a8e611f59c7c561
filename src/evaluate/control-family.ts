import type { Control, EnsureControl, EnsureStep } from '../playbook/types.js';
import { isClusterControl } from './cluster/evaluate-cluster.js';

/**
 * Which evaluator judges a control, from the kinds of its playbook steps.
 * Evaluation reports the node's findings family by family — file controls
 * (with the manual and not-yet-evaluated ones), then static-pod flags, then
 * kubelet settings — each in benchmark order: the plan lists them so.
 */
export type ControlFamily = 'file' | 'static-pod' | 'kubelet' | 'cluster' | 'kube-proxy';

/** Static-pod flags, with the support files they name (3.2.1's audit policy, 1.2.27's encryption config, 1.2.9's admission config). */
export function isStaticPodFlagControl(control: Control): control is EnsureControl {
  return (
    control.fix === 'ensure' &&
    control.ensure.some((s) => s.kind === 'static-pod-flag') &&
    control.ensure.every((s) => s.kind === 'static-pod-flag' || s.kind === 'support-file')
  );
}

/** Every step is a kubelet setting (4.2.x). */
export function isKubeletSettingControl(control: Control): control is EnsureControl {
  return control.fix === 'ensure' && control.ensure.length > 0 && control.ensure.every((s) => s.kind === 'kubelet-setting');
}

/** Every step is a kube-proxy setting judged on the node, not from the cluster's ConfigMap (isKubeProxyControl). */
export function isKubeProxyFlagControl(control: Control): control is EnsureControl {
  return control.fix === 'ensure' && control.ensure.length > 0 && control.ensure.every((s) => s.kind === 'kube-proxy-setting') && !isClusterControl(control);
}

/** Step kinds the file evaluator judges (file metadata). */
export const FILE_STEP_KINDS: ReadonlySet<EnsureStep['kind']> = new Set(['file-mode', 'file-owner']);

export function controlFamily(control: Control): ControlFamily {
  if (isClusterControl(control)) return 'cluster';
  if (isStaticPodFlagControl(control)) return 'static-pod';
  if (isKubeletSettingControl(control)) return 'kubelet';
  if (isKubeProxyFlagControl(control)) return 'kube-proxy';
  return 'file';
}

/** A node-scoped control that applies to a node with these roles (never one the cloud provider runs: provider-managed.ts reports those once). */
export function appliesToNode(control: Control, roles: readonly string[]): boolean {
  return control.scope === 'node' && control.fix !== 'provider-managed' && control.roles.some((r) => roles.includes(r));
}
