import type { LabState } from '../../lab/lab.js';
import { nodeExec } from '../../lab/lab.js';

/**
 * An independent judge for the file controls (1.1.x, 4.1.x): kube-bench's own
 * audit commands for a kubeadm node, run on the node, and its test semantics
 * re-implemented here from KUBE-BENCH-SEMANTICS.md without any cis-fix code.
 * `PASS` / `FAIL` / `WARN` as kube-bench would print them.
 */

const CANDIDATES = {
  kubeletsvc: [
    '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
    '/etc/systemd/system/kubelet.service',
    '/lib/systemd/system/kubelet.service',
    '/etc/systemd/system/snap.kubelet.daemon.service',
  ],
  kubeletconf: ['/etc/kubernetes/kubelet-config.yaml', '/etc/kubernetes/kubelet/kubelet-config.json', '/var/lib/kubelet/config.yaml'],
  kubeletkubeconfig: ['/etc/kubernetes/kubelet.conf'],
  proxykubeconfig: ['/etc/kubernetes/kubelet-kubeconfig', '/etc/kubernetes/kubelet-kubeconfig.conf', '/var/lib/kubelet/kubeconfig'],
};

const DEFAULTS = {
  kubeletsvc: '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
  kubeletconf: '/var/lib/kubelet/config.yaml',
  kubeletkubeconfig: '/etc/kubernetes/kubelet.conf',
  proxykubeconfig: '/etc/kubernetes/proxy.conf',
};

const ifStat = (path: string, format: string) => `if test -e ${path}; then stat -c '${format}' ${path}; fi`;
const dataDir = `DATA_DIR=''; for d in $(ps -ef | grep etcd | grep -- --data-dir | sed 's%.*data-dir[= ]\\([^ ]*\\).*%\\1%'); do if test -d "$d"; then DATA_DIR="$d"; fi; done; if ! test -d "$DATA_DIR"; then DATA_DIR=/var/lib/etcd/default.etcd; fi`;
const caFile = `CAFILE=$(ps -ef | grep kubelet | grep -v apiserver | grep -- --client-ca-file= | awk -F '--client-ca-file=' '{print $2}' | awk '{print $1}' | uniq); if test -z $CAFILE; then CAFILE=/etc/kubernetes/pki/ca.crt; fi`;

interface Check {
  readonly id: string;
  readonly scored: boolean;
  readonly audit: string;
  readonly flag: string;
  readonly compare?: { op: 'bitmask' | 'eq'; value: string };
  readonly multi?: boolean;
  readonly target: 'master' | 'node';
}

const M = '/etc/kubernetes/manifests';
export const FILE_CHECKS: readonly Check[] = [
  {
    id: '1.1.1',
    scored: true,
    target: 'master',
    audit: ifStat(`${M}/kube-apiserver.yaml`, 'permissions=%a'),
    flag: 'permissions',
    compare: { op: 'bitmask', value: '600' },
  },
  { id: '1.1.2', scored: true, target: 'master', audit: ifStat(`${M}/kube-apiserver.yaml`, '%U:%G'), flag: 'root:root' },
  {
    id: '1.1.3',
    scored: true,
    target: 'master',
    audit: ifStat(`${M}/kube-controller-manager.yaml`, 'permissions=%a'),
    flag: 'permissions',
    compare: { op: 'bitmask', value: '600' },
  },
  { id: '1.1.4', scored: true, target: 'master', audit: ifStat(`${M}/kube-controller-manager.yaml`, '%U:%G'), flag: 'root:root' },
  {
    id: '1.1.5',
    scored: true,
    target: 'master',
    audit: ifStat(`${M}/kube-scheduler.yaml`, 'permissions=%a'),
    flag: 'permissions',
    compare: { op: 'bitmask', value: '600' },
  },
  { id: '1.1.6', scored: true, target: 'master', audit: ifStat(`${M}/kube-scheduler.yaml`, '%U:%G'), flag: 'root:root' },
  {
    id: '1.1.7',
    scored: true,
    target: 'master',
    multi: true,
    audit: `if test -e ${M}/etcd.yaml; then find ${M}/etcd.yaml -name '*etcd*' | xargs stat -c permissions=%a; fi`,
    flag: 'permissions',
    compare: { op: 'bitmask', value: '600' },
  },
  {
    id: '1.1.8',
    scored: true,
    target: 'master',
    multi: true,
    audit: `if test -e ${M}/etcd.yaml; then find ${M}/etcd.yaml -name '*etcd*' | xargs stat -c %U:%G; fi`,
    flag: 'root:root',
  },
  {
    id: '1.1.11',
    scored: true,
    target: 'master',
    audit: `${dataDir}; stat -c permissions=%a "$DATA_DIR"`,
    flag: 'permissions',
    compare: { op: 'bitmask', value: '700' },
  },
  { id: '1.1.12', scored: true, target: 'master', audit: `${dataDir}; stat -c %U:%G "$DATA_DIR"`, flag: 'etcd:etcd' },
  {
    id: '1.1.13',
    scored: true,
    target: 'master',
    multi: true,
    audit: 'for f in /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf; do if test -e $f; then stat -c "permissions=%a %n" $f; fi; done',
    flag: 'permissions',
    compare: { op: 'bitmask', value: '600' },
  },
  {
    id: '1.1.14',
    scored: true,
    target: 'master',
    multi: true,
    audit: 'for f in /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf; do if test -e $f; then stat -c "ownership=%U:%G %n" $f; fi; done',
    flag: 'ownership',
    compare: { op: 'eq', value: 'root:root' },
  },
  {
    id: '1.1.15',
    scored: true,
    target: 'master',
    audit: ifStat('/etc/kubernetes/scheduler.conf', 'permissions=%a'),
    flag: 'permissions',
    compare: { op: 'bitmask', value: '600' },
  },
  { id: '1.1.16', scored: true, target: 'master', audit: ifStat('/etc/kubernetes/scheduler.conf', '%U:%G'), flag: 'root:root' },
  {
    id: '1.1.17',
    scored: true,
    target: 'master',
    audit: ifStat('/etc/kubernetes/controller-manager.conf', 'permissions=%a'),
    flag: 'permissions',
    compare: { op: 'bitmask', value: '600' },
  },
  { id: '1.1.18', scored: true, target: 'master', audit: ifStat('/etc/kubernetes/controller-manager.conf', '%U:%G'), flag: 'root:root' },
  { id: '1.1.19', scored: true, target: 'master', multi: true, audit: 'find /etc/kubernetes/pki/ | xargs stat -c %U:%G', flag: 'root:root' },
  {
    id: '1.1.20',
    scored: false,
    target: 'master',
    multi: true,
    audit: "find /etc/kubernetes/pki/ -name '*.crt' | xargs stat -c permissions=%a",
    flag: 'permissions',
    compare: { op: 'bitmask', value: '644' },
  },
  {
    id: '1.1.21',
    scored: false,
    target: 'master',
    multi: true,
    audit: "find /etc/kubernetes/pki/ -name '*.key' | xargs stat -c permissions=%a",
    flag: 'permissions',
    compare: { op: 'bitmask', value: '600' },
  },
  { id: '4.1.1', scored: true, target: 'node', audit: 'ifStatVar kubeletsvc permissions=%a', flag: 'permissions', compare: { op: 'bitmask', value: '600' } },
  {
    id: '4.1.2',
    scored: true,
    target: 'node',
    audit: 'P=$(var kubeletsvc); if test -e $P; then stat -c %U:%G $P; else echo "File not found"; fi',
    flag: 'root:root',
  },
  {
    id: '4.1.3',
    scored: false,
    target: 'node',
    audit: 'ifStatVar proxykubeconfig permissions=%a',
    flag: 'permissions',
    compare: { op: 'bitmask', value: '600' },
  },
  { id: '4.1.4', scored: false, target: 'node', audit: 'ifStatVar proxykubeconfig %U:%G', flag: 'root:root' },
  {
    id: '4.1.5',
    scored: true,
    target: 'node',
    audit: 'ifStatVar kubeletkubeconfig permissions=%a',
    flag: 'permissions',
    compare: { op: 'bitmask', value: '600' },
  },
  { id: '4.1.6', scored: true, target: 'node', audit: 'ifStatVar kubeletkubeconfig %U:%G', flag: 'root:root' },
  {
    id: '4.1.7',
    scored: false,
    target: 'node',
    audit: `${caFile}; if test -e $CAFILE; then stat -c permissions=%a $CAFILE; fi`,
    flag: 'permissions',
    compare: { op: 'bitmask', value: '644' },
  },
  {
    id: '4.1.8',
    scored: false,
    target: 'node',
    audit: `${caFile}; if test -e $CAFILE; then stat -c %U:%G $CAFILE; fi`,
    flag: 'root:root',
    compare: { op: 'eq', value: 'root:root' },
  },
  { id: '4.1.9', scored: true, target: 'node', audit: 'ifStatVar kubeletconf permissions=%a', flag: 'permissions', compare: { op: 'bitmask', value: '600' } },
  { id: '4.1.10', scored: true, target: 'node', audit: 'ifStatVar kubeletconf %U:%G', flag: 'root:root' },
];

function preamble(): string {
  const lists = Object.entries(CANDIDATES)
    .map(
      ([name, paths]) =>
        `${name}) for p in ${paths.join(' ')}; do if test -e $p; then echo $p; return; fi; done; echo ${DEFAULTS[name as keyof typeof DEFAULTS]};;`,
    )
    .join('\n    ');
  return `var() {\n  case $1 in\n    ${lists}\n  esac\n}\nifStatVar() { P=$(var $1); if test -e $P; then stat -c "$2" $P; fi; }\n`;
}

/** kube-bench's flag value: first match of (<flag>)(=|: *)*([^\s]*) — a bare word reads as itself. */
function flagValue(output: string, flag: string): string | undefined {
  if (!output.includes(flag)) return undefined;
  const m = new RegExp(`(${flag})(=|: *)*([^\\s]*) *`).exec(output);
  return m?.[3] ? m[3] : flag;
}

function itemPasses(check: Check, output: string): boolean {
  const value = flagValue(output, check.flag);
  if (value === undefined) return false;
  if (!check.compare) return true;
  if (check.compare.op === 'eq') return value === check.compare.value;
  if (!/^[0-7]+$/.test(value)) return false;
  const actual = parseInt(value, 8);
  const mask = parseInt(check.compare.value, 8);
  return (mask & actual) === actual;
}

export type Verdict = 'PASS' | 'FAIL' | 'WARN';

/** kube-bench's verdict for every file check on one node. */
export async function judgeFileControls(lab: LabState, node: string, target: 'master' | 'node' | 'both'): Promise<Map<string, Verdict>> {
  const verdicts = new Map<string, Verdict>();
  for (const check of FILE_CHECKS.filter((c) => target === 'both' || c.target === target)) {
    const result = await nodeExec(lab, node, ['/bin/sh', '-c', `${preamble()}${check.audit}`]);
    const failed: Verdict = check.scored ? 'FAIL' : 'WARN';
    if (result.code !== 0) {
      verdicts.set(check.id, failed);
      continue;
    }
    const lines = check.multi ? result.stdout.replace(/\n$/, '').split('\n') : [result.stdout];
    verdicts.set(check.id, lines.every((line) => itemPasses(check, line)) ? 'PASS' : failed);
  }
  return verdicts;
}
