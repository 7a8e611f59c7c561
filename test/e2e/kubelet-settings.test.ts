import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';
import { judgeKubelet, JUDGED_KUBELET_CONTROLS } from './support/kube-bench-kubelet.js';

// Issue 4, kubelet settings (4.2) on the drifted lab, with two layouts:
// - cp-1 as the drifted scenario leaves it: `--authorization-mode=AlwaysAllow`
//   in kubeadm-flags.env overrides config.yaml's Webhook (4.2.2), and
//   config.yaml enables anonymous auth, the read-only port and disables
//   certificate rotation (4.2.1, 4.2.4, 4.2.10);
// - worker-1 also runs with `--config` at a non-default path
//   (/etc/kubernetes/kubelet/config.yaml, which kube-bench does not read: it
//   reads the stale /var/lib/kubelet/config.yaml) and a
//   `--read-only-port=10255` written into the systemd drop-in's ExecStart.
const INSTANCE = 'e2e-kubelet';
const SELECTION = ['--only', '4.2.*'];
const DROP_IN = '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf';
const CUSTOM_CONFIG = '/etc/kubernetes/kubelet/config.yaml';
const FILES = [DROP_IN, '/var/lib/kubelet/kubeadm-flags.env', '/var/lib/kubelet/config.yaml', CUSTOM_CONFIG, '/etc/default/kubelet'];
const NODES = ['cp-1', 'worker-1'];

let lab: LabState;
let stateDir: string;
let original: Map<string, string>;

const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });
const sh = async (node: string, script: string) => nodeExec(lab, node, ['/bin/sh', '-c', script]);
const kubeletArgs = async (node: string) => (await sh(node, 'ps -o args= -C kubelet')).stdout.trim();
const snapshot = async () => {
  const out = new Map<string, string>();
  for (const node of NODES) {
    for (const file of FILES) out.set(`${node}:${file}`, (await nodeExec(lab, node, ['cat', file])).stdout);
  }
  return out;
};

interface PlanJson {
  findings: { controlId: string; node: string; status: string; fixable: boolean; kubeBench?: string; notFixableReason?: string }[];
  changes: { kind: string; node: string; target: string; controlIds: string[]; daemonReload?: boolean; purpose?: string; diff: string }[];
}
const plan = async (): Promise<PlanJson> => {
  const result = await cli('plan', '-i', lab.inventoryFile, ...SELECTION, '--json');
  if (result.code !== 0) throw new Error(`plan exited ${result.code}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as PlanJson;
};

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 2, scenario: 'drifted', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
  const moved = await sh(
    'worker-1',
    [
      'set -e',
      'mkdir -p /etc/kubernetes/kubelet',
      `cp -p /var/lib/kubelet/config.yaml ${CUSTOM_CONFIG}`,
      `sed -i 's#--config=/var/lib/kubelet/config.yaml#--config=${CUSTOM_CONFIG}#' ${DROP_IN}`,
      `sed -i 's#\\$KUBELET_EXTRA_ARGS$#$KUBELET_EXTRA_ARGS --read-only-port=10255#' ${DROP_IN}`,
      'systemctl daemon-reload',
      'systemctl restart kubelet',
    ].join('\n'),
  );
  expect(moved.code).toBe(0);
  original = await snapshot();
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

describe('kubelet settings', () => {
  it('finds the effective source on each layout and plans one change per file', async () => {
    expect(await kubeletArgs('worker-1')).toContain(`--config=${CUSTOM_CONFIG}`);
    expect(await kubeletArgs('worker-1')).toContain('--read-only-port=10255');
    const { findings, changes } = await plan();
    for (const node of NODES) {
      for (const id of ['4.2.1', '4.2.2', '4.2.4', '4.2.10', '4.2.12']) {
        expect(findings.find((f) => f.node === node && f.controlId === id)).toMatchObject({ status: 'fail', fixable: true });
      }
    }
    // cp-1: the overriding flag goes from kubeadm-flags.env; the config keys are set in config.yaml; no unit changes.
    const cp = changes.filter((c) => c.node === 'cp-1');
    expect(cp.map((c) => c.target).sort()).toEqual(['/var/lib/kubelet/config.yaml', '/var/lib/kubelet/kubeadm-flags.env']);
    expect(cp.every((c) => c.kind === 'kubelet-file' && c.daemonReload === false)).toBe(true);
    expect(cp.find((c) => c.target.endsWith('kubeadm-flags.env'))!.diff).toMatch(/^-.*--authorization-mode=AlwaysAllow/m);
    // worker-1: the drop-in loses its flag (daemon-reload), the kubelet's real config gets the keys, kube-bench's file is kept in step.
    const worker = changes.filter((c) => c.node === 'worker-1');
    expect(worker.map((c) => c.target).sort()).toEqual([CUSTOM_CONFIG, DROP_IN, '/var/lib/kubelet/config.yaml', '/var/lib/kubelet/kubeadm-flags.env'].sort());
    expect(worker.every((c) => c.daemonReload === true)).toBe(true);
    expect(worker.find((c) => c.target === DROP_IN)!.diff).toMatch(/^-ExecStart=.*--read-only-port=10255$/m);
    expect(worker.find((c) => c.target === '/var/lib/kubelet/config.yaml')!.purpose).toBe('kube-bench');
    expect(worker.find((c) => c.target === CUSTOM_CONFIG)!.purpose).toBe('kubelet');
  });

  it('rolls back automatically when the restarted kubelet does not come up, leaving later nodes untouched', async () => {
    // The lab's kubelet on cp-1 now refuses a config with readOnlyPort 0, as a kubelet refuses a value it does not accept.
    await sh('cp-1', 'echo "kubelet config:readOnlyPort=0" > /run/lab/faults');
    const result = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes', '--health-timeout', '15s');
    await sh('cp-1', 'rm -f /run/lab/faults');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/kubelet did not become healthy/);
    expect(await snapshot()).toEqual(original);
    expect(await kubeletArgs('cp-1')).toContain('--authorization-mode=AlwaysAllow');
    expect((await sh('cp-1', 'curl -fs --max-time 3 http://127.0.0.1:10248/healthz')).code).toBe(0);
  });

  it('applies with one restart per node; kube-bench then passes every control the plan fixed', async () => {
    const fixable = (await plan()).findings.filter((f) => f.fixable);
    const restarts = async (node: string) => Number((await sh(node, 'grep -c "kubelet started (restart" /var/log/lab-kubelet.log')).stdout.trim());
    const restartsBefore = new Map([
      ['cp-1', await restarts('cp-1')],
      ['worker-1', await restarts('worker-1')],
    ]);
    const result = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes', '--health-timeout', '60s');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const node of NODES) {
      expect(result.stdout).toMatch(new RegExp(`healthy ${node}: kubelet after`));
      expect((await restarts(node)) - restartsBefore.get(node)!).toBe(1);
      const verdicts = await judgeKubelet(lab, node);
      for (const f of fixable.filter((x) => x.node === node && JUDGED_KUBELET_CONTROLS.includes(x.controlId))) {
        expect([f.controlId, verdicts[f.controlId]]).toEqual([f.controlId, 'PASS']);
      }
    }
    expect(await kubeletArgs('cp-1')).not.toContain('AlwaysAllow');
    expect(await kubeletArgs('worker-1')).not.toContain('--read-only-port');
    // The read-only port is really closed and anonymous requests are refused.
    expect((await sh('worker-1', 'curl -s --max-time 3 http://127.0.0.1:10255/healthz')).code).not.toBe(0);
    expect((await sh('worker-1', 'curl -sk --max-time 3 -o /dev/null -w "%{http_code}" https://127.0.0.1:10250/pods')).stdout).toBe('401');
  });

  it('is idempotent: the re-plan is empty and a second apply changes nothing', async () => {
    const again = await plan();
    expect(again.changes).toEqual([]);
    expect(again.findings.filter((f) => f.fixable)).toEqual([]);
    const second = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/[Nn]othing to (do|change)/);
  });

  it('rolls back byte-identical and restarts the kubelet with its old command line', async () => {
    const result = await cli('rollback', '--last', '--yes');
    expect(result.code).toBe(0);
    expect(await snapshot()).toEqual(original);
    expect(await kubeletArgs('cp-1')).toContain('--authorization-mode=AlwaysAllow');
    expect(await kubeletArgs('worker-1')).toContain('--read-only-port=10255');
    expect((await plan()).changes.length).toBeGreaterThan(0);
  });
});
