import { ETCD_MANIFEST, MANIFESTS } from './kubeadm-node.js';
import { OPS } from './node-base.js';
import { fileText, setAttrs, setFileText, type NodeTree } from './node-tree.js';

/**
 * Scenarios: `stock` is exactly what kubeadm leaves; `drifted` layers the
 * drifts below on top of it: violations of CIS sections 1, 2 and 4 that
 * still let every component start. The table is the single source of truth;
 * test/lab/README.md documents the same list.
 *
 * Section-5 drifts are API objects: the lab API server seeds them on cp-1
 * when the scenario (passed in its cluster.json) is `drifted`; their single
 * source is `driftedObjects` in node/apiserver/seed.mjs.
 */
// `variant`: the drifted node's controls, drifted in the same spirit but laid out as a differently configured installation
// would lay them out (each distribution says how; kubeadm treats it as `drifted`).
export type Scenario = 'stock' | 'drifted' | 'variant';
export const SCENARIOS: readonly Scenario[] = ['stock', 'drifted', 'variant'];

export interface Drift {
  id: string;
  roles: ReadonlyArray<'control-plane' | 'worker'>;
  path: string;
  what: string;
  cis: readonly string[];
  apply: (tree: NodeTree) => void;
}

const OWNED_BY_OPS = { uid: OPS.uid, gid: OPS.gid };

function editManifest(tree: NodeTree, file: string, edit: (lines: string[]) => void): void {
  const lines = fileText(tree, file).split('\n');
  edit(lines);
  setFileText(tree, file, lines.join('\n'));
}

/** Replaces the command-list line `- old` by `- replacement` (throws if absent, so drifts never silently miss). */
function replaceArg(old: string, replacement: string) {
  return (lines: string[]) => {
    const i = lines.indexOf(`    - ${old}`);
    if (i < 0) throw new Error(`drift: argument ${old} not found`);
    lines[i] = `    - ${replacement}`;
  };
}

function removeArg(arg: string) {
  return (lines: string[]) => {
    const i = lines.indexOf(`    - ${arg}`);
    if (i < 0) throw new Error(`drift: argument ${arg} not found`);
    lines.splice(i, 1);
  };
}

/** Appends an argument at the end of the command list, as someone editing the file by hand would. */
function appendArg(arg: string) {
  return (lines: string[]) => {
    const start = lines.indexOf('  - command:');
    if (start < 0) throw new Error('drift: no command list');
    let end = start + 1;
    while (end < lines.length && lines[end]?.startsWith('    - ')) end++;
    lines.splice(end, 0, `    - ${arg}`);
  };
}

const K = '/etc/kubernetes';
const APISERVER = `${MANIFESTS}/kube-apiserver.yaml`;
const CONTROLLER_MANAGER = `${MANIFESTS}/kube-controller-manager.yaml`;
const SCHEDULER = `${MANIFESTS}/kube-scheduler.yaml`;
const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';

export const DRIFTS: readonly Drift[] = [
  {
    id: 'apiserver-manifest-mode',
    roles: ['control-plane'],
    path: APISERVER,
    what: 'mode 0644',
    cis: ['1.1.1'],
    apply: (t) => setAttrs(t, APISERVER, { mode: 0o644 }),
  },
  {
    id: 'apiserver-always-allow',
    roles: ['control-plane'],
    path: APISERVER,
    what: '--authorization-mode=AlwaysAllow (was Node,RBAC)',
    cis: ['1.2.6', '1.2.7', '1.2.8'],
    apply: (t) => editManifest(t, APISERVER, replaceArg('--authorization-mode=Node,RBAC', '--authorization-mode=AlwaysAllow')),
  },
  {
    id: 'apiserver-profiling',
    roles: ['control-plane'],
    path: APISERVER,
    what: '--profiling=true appended',
    cis: ['1.2.15'],
    apply: (t) => editManifest(t, APISERVER, appendArg('--profiling=true')),
  },
  {
    id: 'controller-manager-manifest-mode-owner',
    roles: ['control-plane'],
    path: CONTROLLER_MANAGER,
    what: 'mode 0644, owner ops:ops',
    cis: ['1.1.3', '1.1.4'],
    apply: (t) => setAttrs(t, CONTROLLER_MANAGER, { mode: 0o644, ...OWNED_BY_OPS }),
  },
  {
    id: 'controller-manager-profiling',
    roles: ['control-plane'],
    path: CONTROLLER_MANAGER,
    what: '--profiling=true appended',
    cis: ['1.3.2'],
    apply: (t) => editManifest(t, CONTROLLER_MANAGER, appendArg('--profiling=true')),
  },
  {
    id: 'scheduler-manifest-0400',
    roles: ['control-plane'],
    path: SCHEDULER,
    what: 'mode 0400: MORE restrictive than required; passes 1.1.5 and must be left alone',
    cis: ['1.1.5'],
    apply: (t) => setAttrs(t, SCHEDULER, { mode: 0o400 }),
  },
  {
    id: 'scheduler-profiling-bind',
    roles: ['control-plane'],
    path: SCHEDULER,
    what: '--profiling=true appended, --bind-address=0.0.0.0 (was 127.0.0.1)',
    cis: ['1.4.1', '1.4.2'],
    apply: (t) =>
      editManifest(t, SCHEDULER, (l) => {
        replaceArg('--bind-address=127.0.0.1', '--bind-address=0.0.0.0')(l);
        appendArg('--profiling=true')(l);
      }),
  },
  {
    id: 'etcd-manifest-mode',
    roles: ['control-plane'],
    path: ETCD_MANIFEST,
    what: 'mode 0644',
    cis: ['1.1.7'],
    apply: (t) => setAttrs(t, ETCD_MANIFEST, { mode: 0o644 }),
  },
  {
    id: 'etcd-no-client-cert-auth',
    roles: ['control-plane'],
    path: ETCD_MANIFEST,
    what: '--client-cert-auth=true removed, --auto-tls=true appended',
    cis: ['2.2', '2.3'],
    apply: (t) =>
      editManifest(t, ETCD_MANIFEST, (l) => {
        removeArg('--client-cert-auth=true')(l);
        appendArg('--auto-tls=true')(l);
      }),
  },
  {
    id: 'etcd-data-dir',
    roles: ['control-plane'],
    path: '/var/lib/etcd',
    what: 'mode 0755, owner ops:ops',
    cis: ['1.1.11', '1.1.12'],
    apply: (t) => setAttrs(t, '/var/lib/etcd', { mode: 0o755, ...OWNED_BY_OPS }),
  },
  {
    id: 'admin-conf',
    roles: ['control-plane'],
    path: `${K}/admin.conf`,
    what: 'mode 0644, owner ops:ops',
    cis: ['1.1.13', '1.1.14'],
    apply: (t) => setAttrs(t, `${K}/admin.conf`, { mode: 0o644, ...OWNED_BY_OPS }),
  },
  {
    id: 'scheduler-conf',
    roles: ['control-plane'],
    path: `${K}/scheduler.conf`,
    what: 'mode 0644',
    cis: ['1.1.15'],
    apply: (t) => setAttrs(t, `${K}/scheduler.conf`, { mode: 0o644 }),
  },
  {
    id: 'controller-manager-conf',
    roles: ['control-plane'],
    path: `${K}/controller-manager.conf`,
    what: 'mode 0644, owner ops:ops',
    cis: ['1.1.17', '1.1.18'],
    apply: (t) => setAttrs(t, `${K}/controller-manager.conf`, { mode: 0o644, ...OWNED_BY_OPS }),
  },
  {
    id: 'pki-apiserver-crt',
    roles: ['control-plane'],
    path: `${K}/pki/apiserver.crt`,
    what: 'mode 0666',
    cis: ['1.1.20'],
    apply: (t) => setAttrs(t, `${K}/pki/apiserver.crt`, { mode: 0o666 }),
  },
  {
    id: 'pki-keys',
    roles: ['control-plane'],
    path: `${K}/pki/apiserver.key, ${K}/pki/front-proxy-client.key`,
    what: 'mode 0644',
    cis: ['1.1.21'],
    apply: (t) => {
      setAttrs(t, `${K}/pki/apiserver.key`, { mode: 0o644 });
      setAttrs(t, `${K}/pki/front-proxy-client.key`, { mode: 0o644 });
    },
  },
  {
    id: 'pki-owner',
    roles: ['control-plane'],
    path: `${K}/pki/etcd/peer.key`,
    what: 'owner ops:ops',
    cis: ['1.1.19'],
    apply: (t) => setAttrs(t, `${K}/pki/etcd/peer.key`, OWNED_BY_OPS),
  },
  {
    id: 'kubelet-unit-mode',
    roles: ['control-plane', 'worker'],
    path: '/usr/lib/systemd/system/kubelet.service',
    what: 'mode 0666 (kube-bench resolves $kubeletsvc to this file on usr-merged Debian)',
    cis: ['4.1.1'],
    apply: (t) => setAttrs(t, '/usr/lib/systemd/system/kubelet.service', { mode: 0o666 }),
  },
  {
    id: 'kubelet-dropin-mode-owner',
    roles: ['control-plane', 'worker'],
    path: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
    what: 'mode 0666, owner ops:ops',
    cis: ['4.1.1', '4.1.2'],
    apply: (t) => setAttrs(t, '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', { mode: 0o666, ...OWNED_BY_OPS }),
  },
  {
    id: 'kubelet-conf',
    roles: ['control-plane', 'worker'],
    path: `${K}/kubelet.conf`,
    what: 'mode 0644',
    cis: ['4.1.5'],
    apply: (t) => setAttrs(t, `${K}/kubelet.conf`, { mode: 0o644 }),
  },
  {
    id: 'worker-ca-crt',
    roles: ['worker'],
    path: `${K}/pki/ca.crt`,
    what: 'mode 0666',
    cis: ['4.1.7'],
    apply: (t) => setAttrs(t, `${K}/pki/ca.crt`, { mode: 0o666 }),
  },
  {
    id: 'kubelet-config-mode',
    roles: ['control-plane', 'worker'],
    path: KUBELET_CONFIG,
    what: 'mode 0666',
    cis: ['4.1.9'],
    apply: (t) => setAttrs(t, KUBELET_CONFIG, { mode: 0o666 }),
  },
  {
    id: 'kubelet-config-settings',
    roles: ['control-plane', 'worker'],
    path: KUBELET_CONFIG,
    what: 'authentication.anonymous.enabled: true, readOnlyPort: 10255 (added), rotateCertificates: false',
    cis: ['4.2.1', '4.2.4', '4.2.10'],
    apply: (t) => {
      let text = fileText(t, KUBELET_CONFIG);
      const swap = (a: string, b: string) => {
        if (!text.includes(a)) throw new Error(`drift: ${a} not in kubelet config`);
        text = text.replace(a, b);
      };
      swap('  anonymous:\n    enabled: false\n', '  anonymous:\n    enabled: true\n');
      swap('nodeStatusUpdateFrequency: 0s\n', 'nodeStatusUpdateFrequency: 0s\nreadOnlyPort: 10255\n');
      swap('rotateCertificates: true\n', 'rotateCertificates: false\n');
      setFileText(t, KUBELET_CONFIG, text);
    },
  },
  {
    id: 'kubelet-flag-overrides-config',
    roles: ['control-plane', 'worker'],
    path: '/var/lib/kubelet/kubeadm-flags.env',
    what: "--authorization-mode=AlwaysAllow appended: the flag wins over config.yaml's authorization.mode: Webhook",
    cis: ['4.2.2'],
    apply: (t) => {
      const p = '/var/lib/kubelet/kubeadm-flags.env';
      const text = fileText(t, p);
      if (!text.endsWith('"\n')) throw new Error('drift: unexpected kubeadm-flags.env');
      setFileText(t, p, `${text.slice(0, -2)} --authorization-mode=AlwaysAllow"\n`);
    },
  },
];

/** Applies a scenario to a node's tree (before anything is written); `variant` drifts kubeadm's files as `drifted` does (a distribution lays out its own variant). */
export function applyScenario(tree: NodeTree, role: 'control-plane' | 'worker', scenario: Scenario): void {
  if (scenario === 'stock') return;
  for (const d of DRIFTS) {
    if (d.roles.includes(role)) d.apply(tree);
  }
}
