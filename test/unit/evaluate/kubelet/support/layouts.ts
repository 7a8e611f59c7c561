/**
 * The kubelet layouts the tests run on, each a NodeFacts: the stock and
 * drifted kubeadm nodes of the lab (their real files), a RHEL-style node
 * with flags in /etc/sysconfig/kubelet, a drop-in that resets ExecStart=,
 * a kubelet --config at a non-default path, and a config.yaml with comments.
 */

import type { NodeFacts } from '../../../../../src/facts/types.js';
import { fixture, kubeletNode, type FileSpec } from './kubelet-node.js';

export const UNIT = '/usr/lib/systemd/system/kubelet.service';
export const KUBEADM_DROP_IN = '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf';
export const FLAGS_ENV = '/var/lib/kubelet/kubeadm-flags.env';
export const DEFAULT_KUBELET = '/etc/default/kubelet';
export const SYSCONFIG_KUBELET = '/etc/sysconfig/kubelet';
export const CONFIG = '/var/lib/kubelet/config.yaml';
export const CA = '/etc/kubernetes/pki/ca.crt';

/** The Debian/pkgs.k8s.io kubeadm layout of the lab, with the lab's files. */
export function kubeadmFiles(scenario: 'lab-stock' | 'lab-drifted'): Record<string, FileSpec> {
  return {
    [UNIT]: fixture('lab-drifted/kubelet.service'),
    [KUBEADM_DROP_IN]: fixture('lab-drifted/10-kubeadm.conf'),
    [FLAGS_ENV]: fixture(`${scenario}/kubeadm-flags.env`),
    [DEFAULT_KUBELET]: fixture('lab-drifted/kubelet'),
    [CONFIG]: fixture(`${scenario}/config.yaml`),
    [CA]: 'CERTIFICATE\n',
  };
}

export function stockNode(extra: Record<string, FileSpec> = {}, argv?: readonly string[] | null): NodeFacts {
  return kubeletNode({ files: { ...kubeadmFiles('lab-stock'), ...extra }, ...(argv !== undefined ? { argv } : {}) });
}

export function driftedNode(extra: Record<string, FileSpec> = {}, argv?: readonly string[] | null): NodeFacts {
  return kubeletNode({ files: { ...kubeadmFiles('lab-drifted'), ...extra }, ...(argv !== undefined ? { argv } : {}) });
}

/** RPM layout: the drop-in reads /etc/sysconfig/kubelet, which carries KUBELET_EXTRA_ARGS. */
export function rhelNode(sysconfig = fixture('rhel/sysconfig-kubelet')): NodeFacts {
  return kubeletNode({
    files: {
      [UNIT]: fixture('lab-drifted/kubelet.service'),
      [KUBEADM_DROP_IN]: fixture('rhel/10-kubeadm.conf'),
      [FLAGS_ENV]: fixture('rhel/kubeadm-flags.env'),
      [SYSCONFIG_KUBELET]: sysconfig,
      [CONFIG]: fixture('lab-stock/config.yaml'),
      [CA]: 'CERTIFICATE\n',
    },
  });
}

export const RESET_DROP_IN = '/etc/systemd/system/kubelet.service.d/20-hardening-exceptions.conf';

/** A local drop-in that resets ExecStart= and adds literal flags on a continued line. */
export function execStartResetNode(): NodeFacts {
  return stockNode({ [RESET_DROP_IN]: fixture('exec-start-reset/20-hardening-exceptions.conf') });
}

export const CUSTOM_DROP_IN = '/etc/systemd/system/kubelet.service.d/30-kubelet-config.conf';
export const CUSTOM_CONFIG = '/etc/kubernetes/kubelet/kubelet-config.yaml';

/**
 * The kubelet's --config at /etc/kubernetes/kubelet/kubelet-config.yaml
 * (a drop-in overrides KUBELET_CONFIG_ARGS). `kubeBenchCopy`: what is at
 * /var/lib/kubelet/config.yaml, the file kube-bench reads instead: a stale
 * KubeletConfiguration, or nothing (kube-bench then falls through to
 * /etc/default/kubelet).
 */
export function customConfigPathNode(kubeBenchCopy: 'stale-copy' | 'none'): NodeFacts {
  const files: Record<string, FileSpec> = {
    ...kubeadmFiles('lab-stock'),
    [CUSTOM_DROP_IN]: fixture('custom-config-path/30-kubelet-config.conf'),
    [CUSTOM_CONFIG]: fixture('lab-drifted/config.yaml'),
  };
  if (kubeBenchCopy === 'none') delete files[CONFIG];
  else files[CONFIG] = fixture('lab-drifted/config.yaml');
  return kubeletNode({ files });
}

/** The stock node with a hand-maintained config.yaml full of comments. */
export function commentedConfigNode(): NodeFacts {
  return stockNode({ [CONFIG]: fixture('commented-config/config.yaml') });
}
