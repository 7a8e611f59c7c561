import {
  AKS_AZURE_JSON,
  AKS_CA,
  AKS_CONFIG_DROP_IN,
  AKS_DEFAULT_KUBELET,
  AKS_FLAG_DRIFTS,
  AKS_KUBECONFIG,
  AKS_KUBELET_CONFIG,
  AKS_UNIT,
} from '../lab/distributions/aks.js';
import { nodeExec } from '../lab/lab.js';
import { distributionLab } from './support/distribution-lab.js';
import { judgeAksNode } from './support/kube-bench-managed.js';

// Issue 13 §4 on an AKS-style lab (test/lab/distributions/aks.ts): Azure's
// control plane (cp-1, not in the inventories; AKS's /version is plain) and a
// worker as an AKS Ubuntu node leaves it (security flags in
// /etc/default/kubelet KUBELET_FLAGS, --config /etc/default/kubeletconfig.json,
// the cloud config /etc/kubernetes/azure.json, which kube-bench's aks-1.8
// takes as $kubeletconf), drifted: the kubelet kubeconfig and azure.json are
// 0666 ops:ops, and KUBELET_FLAGS enables anonymous auth and AlwaysAllow,
// opens the read-only port (also in the config file), zeroes the streaming
// timeout, turns off iptables chains, certificate rotation and the serving
// certificate gate, and lacks --client-ca-file. --benchmark auto picks aks-1.8
// from the node, also when the API answers (plain /version). kube-bench sees
// the kubelet's settings on its command line only, so one apply rewrites each
// flag where it stands and appends the missing one to KUBELET_FLAGS; the
// independent judge (support/kube-bench-managed.ts) goes from red to green;
// the unit and its drop-in stay untouched; re-plan empty, second apply idle,
// rollback byte-identical; a kubelet that does not come back is restored
// (exit 3).
const NODE = 'worker-1';
const SELECTION = ['--targets', 'node'];
const TOUCHED = [AKS_AZURE_JSON, AKS_KUBECONFIG, AKS_KUBELET_CONFIG, AKS_DEFAULT_KUBELET];
/** What AKS's node provisioning writes and cis-fix must never edit on this layout. */
const GENERATED = [AKS_UNIT, AKS_CONFIG_DROP_IN];
const FILES = [...TOUCHED, ...GENERATED];
const KUBELET_CONTROLS = ['3.2.1', '3.2.2', '3.2.3', '3.2.4', '3.2.5', '3.2.6', '3.2.8', '3.2.9'];
const { lab, cli } = distributionLab('aks', { nodes: 2 });
let drifted: Map<string, string>;
let driftedFlags: string;

const sh = async (script: string) => nodeExec(lab, NODE, ['/bin/sh', '-c', script]);
const cat = async (path: string) => (await nodeExec(lab, NODE, ['cat', path])).stdout;
const kubeletArgs = async () => (await sh('ps -o args= -C kubelet')).stdout.trim();
const snapshot = async (paths: readonly string[] = FILES) => {
  const out = new Map<string, string>();
  for (const path of paths) out.set(path, (await sh(`stat -c '%a %U:%G' ${path} && sha256sum < ${path}`)).stdout);
  return out;
};
interface PlanJson {
  benchmark: { id: string; chosenBy: string };
  findings: { controlId: string; node?: string; status: string; fixable: boolean; notFixableReason?: string }[];
  changes: { kind: string; node: string; target: string; controlIds: string[]; daemonReload?: boolean; notes?: string[]; edits?: string[]; diff: string }[];
}
const plan = async (): Promise<PlanJson> => {
  const result = await cli('plan', '-i', lab.inventoryFile, ...SELECTION, '--json');
  if (result.code !== 0) throw new Error(`plan exited ${result.code}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as PlanJson;
};

beforeAll(async () => {
  drifted = await snapshot();
  driftedFlags = await cat(AKS_DEFAULT_KUBELET);
}, 180_000);

describe('an AKS-style cluster (lab distribution aks, drifted)', () => {
  it('picks aks-1.8 with --benchmark auto from the node, with and without the API (whose /version is plain)', async () => {
    const expected = { id: 'aks-1.8', chosenBy: `auto: aks detected from node worker-1 has ${AKS_AZURE_JSON}; its benchmark is aks-1.8` };
    for (const inventory of [lab.apiInventoryFile, lab.inventoryFile]) {
      const planned = JSON.parse((await cli('plan', '-i', inventory, '--only', '3.1.1', '--json')).stdout) as PlanJson;
      expect(planned.benchmark).toEqual(expected);
    }
  });

  it('fails kube-bench on the drifted files and flags, and plans the flags rewritten where they stand in KUBELET_FLAGS', async () => {
    const verdicts = await judgeAksNode(lab, NODE);
    expect(
      Object.keys(verdicts)
        .filter((id) => verdicts[id] === 'FAIL')
        .sort(),
    ).toEqual(['3.1.1', '3.1.2', '3.1.3', '3.1.4', '3.2.1', '3.2.3', '3.2.4', '3.2.5', '3.2.6', '3.2.8', '3.2.9'].sort());
    // kube-bench's 3.2.2 reads --anonymous-auth, so it passes despite AlwaysAllow; cis-fix fails it (stricter) and fixes it too.
    expect(verdicts['3.2.2']).toBe('PASS');
    const { findings, changes } = await plan();
    for (const id of ['3.1.1', '3.1.2', '3.1.3', '3.1.4', ...KUBELET_CONTROLS])
      expect(findings.find((f) => f.node === NODE && f.controlId === id)).toMatchObject({ status: 'fail', fixable: true });
    expect(findings.find((f) => f.controlId === '3.2.7')?.status).toBe('manual');
    const kubelet = changes.filter((c) => c.kind === 'kubelet-file');
    expect(kubelet.map((c) => c.target).sort()).toEqual([AKS_DEFAULT_KUBELET, AKS_KUBELET_CONFIG].sort());
    // An environment file and a JSON config: no unit changed, no daemon-reload.
    expect(kubelet.every((c) => c.daemonReload === false)).toBe(true);
    for (const change of kubelet) expect(change.notes?.join(' ')).toMatch(/node pool upgrade.*--kubelet-config/s);
    const env = kubelet.find((c) => c.target === AKS_DEFAULT_KUBELET)!;
    expect(env.diff).toMatch(/^-KUBELET_FLAGS=.*--anonymous-auth=true/m);
    expect(env.diff).toMatch(new RegExp(`^\\+KUBELET_FLAGS=.*--anonymous-auth=false.*--client-ca-file=${AKS_CA}$`, 'm'));
    expect(env.edits?.join('\n')).toMatch(new RegExp(`add --client-ca-file=${AKS_CA} to KUBELET_FLAGS`));
    expect(kubelet.find((c) => c.target === AKS_KUBELET_CONFIG)!.diff).toMatch(/^\+\s+"readOnlyPort": 0,$/m);
    expect(changes.every((c) => !GENERATED.includes(c.target))).toBe(true);
    expect((await cli('plan', '-i', lab.inventoryFile, ...SELECTION)).stdout).toMatch(/note: AKS re-creates a node from its node pool's configuration/);
  });

  it('restores every file and exits 3 when the restarted kubelet does not come back', async () => {
    // The lab kubelet now refuses --read-only-port=0, as a kubelet refuses a value it does not accept.
    await sh('echo "kubelet --read-only-port=0" > /run/lab/faults');
    const result = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes', '--health-timeout', '15s');
    await sh('rm -f /run/lab/faults');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/kubelet did not become healthy/);
    expect(await snapshot()).toEqual(drifted);
    expect(await cat(AKS_DEFAULT_KUBELET)).toBe(driftedFlags);
    expect(await kubeletArgs()).toContain('--read-only-port=10255');
    expect((await sh('curl -fs --max-time 3 http://127.0.0.1:10248/healthz')).code).toBe(0);
  });

  it('goes from red to green with one apply, each flag rewritten in place and the rest of /etc/default/kubelet byte for byte', async () => {
    const planned = await plan();
    const result = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes', '--health-timeout', '60s');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`healthy ${NODE}: kubelet after`));
    const verdicts = await judgeAksNode(lab, NODE);
    const fixed = planned.findings.filter((f) => f.node === NODE && f.status === 'fail' && f.fixable).map((f) => f.controlId);
    const decisions = planned.findings.filter((f) => f.node === NODE && f.status === 'fail' && !f.fixable).map((f) => f.controlId);
    for (const id of fixed) expect([id, verdicts[id]]).toEqual([id, 'PASS']);
    for (const [id, verdict] of Object.entries(verdicts)) if (verdict === 'FAIL') expect(decisions).toContain(id);
    expect(Object.values(verdicts).every((v) => v === 'PASS')).toBe(true);

    // Each drifted word is back to its stock value where it stood; the missing flag is at the end of KUBELET_FLAGS; nothing else moved.
    let expected = driftedFlags;
    for (const d of AKS_FLAG_DRIFTS) if (d.drifted !== '') expect(expected.includes(d.drifted)).toBe(true);
    expected = expected
      .replace('--anonymous-auth=true', '--anonymous-auth=false')
      .replace('--authorization-mode=AlwaysAllow', '--authorization-mode=Webhook')
      .replace('--read-only-port=10255', '--read-only-port=0')
      .replace('--rotate-certificates=false', '--rotate-certificates=true')
      .replace('--make-iptables-util-chains=false', '--make-iptables-util-chains=true')
      .replace('--streaming-connection-idle-timeout=0', '--streaming-connection-idle-timeout=4h0m0s')
      .replace('RotateKubeletServerCertificate=false', 'RotateKubeletServerCertificate=true')
      .replace(/^(KUBELET_FLAGS=.*)$/m, `$1 --client-ca-file=${AKS_CA}`);
    expect(await cat(AKS_DEFAULT_KUBELET)).toBe(expected);
    expect((JSON.parse(await cat(AKS_KUBELET_CONFIG)) as { readOnlyPort: number }).readOnlyPort).toBe(0);

    const args = await kubeletArgs();
    for (const flag of ['--anonymous-auth=false', '--read-only-port=0', '--rotate-certificates=true', `--client-ca-file=${AKS_CA}`])
      expect(args).toContain(flag);
    // The read-only port is closed and anonymous requests are refused.
    expect((await sh('curl -s --max-time 3 http://127.0.0.1:10255/healthz')).code).not.toBe(0);
    expect((await sh('curl -sk --max-time 3 -o /dev/null -w "%{http_code}" https://127.0.0.1:10250/pods')).stdout).toBe('401');
    const now = await snapshot(GENERATED);
    for (const [key, value] of now) expect([key, value]).toEqual([key, drifted.get(key)]);
    expect((await snapshot([AKS_AZURE_JSON])).get(AKS_AZURE_JSON)!.split('\n')[0]).toBe('644 root:root');
  });

  it('is idempotent: the re-plan is empty (exit 0) and a second apply changes nothing', async () => {
    expect((await cli('plan', '-i', lab.inventoryFile, ...SELECTION, '--detailed-exitcode')).code).toBe(0);
    const before = await snapshot();
    const second = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/[Nn]othing to (do|change)/);
    expect(await snapshot()).toEqual(before);
  });

  it('rolls back byte-identical (content, mode, owner) and restarts the kubelet with its old command line', async () => {
    expect((await cli('rollback', '--last', '--yes')).code).toBe(0);
    expect(await snapshot()).toEqual(drifted);
    expect(await cat(AKS_DEFAULT_KUBELET)).toBe(driftedFlags);
    expect(await kubeletArgs()).toContain('--read-only-port=10255');
  });
});
