import {
  AL2023_DEBUG_DROP_IN,
  AL2023_ENVIRONMENT,
  AL2023_KUBELET_CONFIG,
  EKS_ARGS_DROP_IN,
  EKS_EXTRA_ARGS_DROP_IN,
  EKS_KUBECONFIG,
  EKS_KUBELET_CONFIG,
  EKS_UNIT,
} from '../lab/distributions/eks.js';
import { nodeExec } from '../lab/lab.js';
import { distributionLab } from './support/distribution-lab.js';
import { judgeEksNode } from './support/kube-bench-managed.js';

// Issue 13 §3–§4 on an EKS-style lab (test/lab/distributions/eks.ts): AWS's
// control plane (cp-1, not in the inventories) and two workers as the EKS
// optimized AL2 AMI leaves them, drifted: their kubelet-config.json (JSON)
// enables anonymous auth and AlwaysAllow, drops the client CA, turns off
// iptables chains, certificate rotation and the serving-certificate gate;
// their 30-kubelet-extra-args.conf adds --read-only-port=10255 and a zero
// streaming timeout; the kubeconfig and the config file are 0666 ops:ops.
// --benchmark auto picks eks-1.8.0; one apply takes kube-bench's eks 3.1/3.2
// verdict (an independent oracle, support/kube-bench-managed.ts) from red to
// green, editing the JSON in place as JSON; the unit and its bootstrap
// drop-in stay untouched; re-plan empty, second apply idle, rollback
// byte-identical; a kubelet that does not come back is restored (exit 3).
const WORKERS = ['worker-1', 'worker-2'];
const SELECTION = ['--targets', 'node'];
const TOUCHED = [EKS_KUBELET_CONFIG, EKS_KUBECONFIG, EKS_EXTRA_ARGS_DROP_IN];
/** What bootstrap.sh generates and cis-fix must never edit on this layout. */
const GENERATED = [EKS_UNIT, EKS_ARGS_DROP_IN];

const { lab, cli, sh } = distributionLab('eks', { nodes: 3 });
let drifted: Map<string, string>;
let driftedJson: Map<string, string>;

const kubeletArgs = async (node: string) => (await sh(node, 'ps -o args= -C kubelet')).stdout.trim();
const cat = async (node: string, path: string) => (await nodeExec(lab, node, ['cat', path])).stdout;

/** Content hash, mode and owner of every file cis-fix may touch or must not, on every worker. */
async function snapshot(paths: readonly string[] = [...TOUCHED, ...GENERATED]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const node of WORKERS) {
    for (const path of paths) out.set(`${node}:${path}`, (await sh(node, `stat -c '%a %U:%G' ${path} && sha256sum < ${path}`)).stdout);
  }
  return out;
}

interface PlanJson {
  benchmark: { id: string; chosenBy: string };
  findings: { controlId: string; node?: string; status: string; fixable: boolean; notFixableReason?: string; decisionParameter?: string }[];
  changes: { kind: string; node: string; target: string; controlIds: string[]; daemonReload?: boolean; notes?: string[]; diff: string }[];
}
const plan = async (...extra: string[]): Promise<PlanJson> => {
  const result = await cli('plan', '-i', lab.inventoryFile, ...SELECTION, ...extra, '--json');
  if (result.code !== 0) throw new Error(`plan exited ${result.code}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as PlanJson;
};

/** `sub` is `full` with lines left out: nothing kept was changed or moved. */
function isSubsequence(sub: readonly string[], full: readonly string[]): boolean {
  let i = 0;
  for (const line of full) if (i < sub.length && line === sub[i]) i += 1;
  return i === sub.length;
}

beforeAll(async () => {
  drifted = await snapshot();
  driftedJson = new Map(await Promise.all(WORKERS.map(async (n) => [n, await cat(n, EKS_KUBELET_CONFIG)] as const)));
}, 180_000);

describe('an EKS-style cluster (lab distribution eks, drifted)', () => {
  it('picks eks-1.8.0 with --benchmark auto, from the API server /version and, without the API, from the node', async () => {
    const withApi = await cli('plan', '-i', lab.apiInventoryFile, '--only', '3.1.1', '--json');
    expect(withApi.code).toBe(0);
    expect((JSON.parse(withApi.stdout) as PlanJson).benchmark).toEqual({
      id: 'eks-1.8.0',
      chosenBy: "auto: eks detected from the API server's /version v1.33.4-eks-1a2b3c4; its benchmark is eks-1.8.0",
    });
    const nodeOnly = await plan('--only', '3.1.1');
    expect(nodeOnly.benchmark.id).toBe('eks-1.8.0');
    expect(nodeOnly.benchmark.chosenBy).toMatch(
      new RegExp(
        `^auto: eks detected from node worker-\\d's kubelet runs with ${EKS_KUBELET_CONFIG} \\(and 1 more node\\(s\\)\\); its benchmark is eks-1.8.0$`,
      ),
    );
    // The provider's node is not in the inventory: nothing is planned or judged there.
    expect(nodeOnly.findings.some((f) => f.node === 'cp-1')).toBe(false);
  });

  it('fails kube-bench on every drifted worker control, and plans JSON edits in place plus the drop-in flag removal', async () => {
    for (const node of WORKERS) {
      const verdicts = await judgeEksNode(lab, node);
      const failing = Object.keys(verdicts).filter((id) => verdicts[id] === 'FAIL');
      expect(failing.sort()).toEqual(['3.1.1', '3.1.2', '3.1.3', '3.1.4', '3.2.1', '3.2.2', '3.2.3', '3.2.4', '3.2.5', '3.2.6', '3.2.8', '3.2.9']);
    }
    const { findings, changes } = await plan();
    for (const node of WORKERS) {
      for (const id of ['3.1.1', '3.1.2', '3.1.3', '3.1.4', '3.2.1', '3.2.2', '3.2.3', '3.2.4', '3.2.5', '3.2.6', '3.2.8', '3.2.9'])
        expect(findings.find((f) => f.node === node && f.controlId === id)).toMatchObject({ status: 'fail', fixable: true });
      const kubelet = changes.filter((c) => c.node === node && c.kind === 'kubelet-file');
      expect(kubelet.map((c) => c.target).sort()).toEqual([EKS_KUBELET_CONFIG, EKS_EXTRA_ARGS_DROP_IN].sort());
      expect(kubelet.every((c) => c.daemonReload === true)).toBe(true);
      // Next to every kubelet change: a node group upgrade replaces the node; where the durable setting lives.
      for (const change of kubelet) expect(change.notes?.join(' ')).toMatch(/node group upgrade.*launch template/s);
      const json = kubelet.find((c) => c.target === EKS_KUBELET_CONFIG)!;
      expect(json.diff).toMatch(/^-\s+"mode": "AlwaysAllow",$/m);
      expect(json.diff).toMatch(/^\+\s+"mode": "Webhook",$/m);
      expect(json.diff).toMatch(/^\+\s+"clientCAFile": "\/etc\/kubernetes\/pki\/ca\.crt"$/m);
      expect(kubelet.find((c) => c.target === EKS_EXTRA_ARGS_DROP_IN)!.diff).toMatch(/^-Environment='KUBELET_EXTRA_ARGS=.*--read-only-port=10255/m);
      expect(changes.filter((c) => c.node === node).every((c) => !GENERATED.includes(c.target))).toBe(true);
    }
    expect(changes.some((c) => c.node === 'cp-1')).toBe(false);
    const text = await cli('plan', '-i', lab.inventoryFile, ...SELECTION);
    expect(text.stdout).toMatch(/note: EKS re-creates a node's kubelet configuration from its launch template/);
  });

  it('restores every file and exits 3 when the restarted kubelet does not come back', async () => {
    // The lab kubelet on worker-1 now refuses rotateCertificates: true, as a kubelet refuses a value it does not accept.
    await sh('worker-1', 'echo "kubelet config:rotateCertificates=true" > /run/lab/faults');
    const result = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes', '--health-timeout', '15s');
    await sh('worker-1', 'rm -f /run/lab/faults');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/kubelet did not become healthy/);
    const after = await snapshot();
    for (const path of [...TOUCHED, ...GENERATED]) expect(after.get(`worker-1:${path}`)).toBe(drifted.get(`worker-1:${path}`));
    expect(await kubeletArgs('worker-1')).toContain('--read-only-port=10255');
    expect((await sh('worker-1', 'curl -fs --max-time 3 http://127.0.0.1:10248/healthz')).code).toBe(0);
    // Put worker-2 back as it was too, if the run got that far, so the next test starts from the drifted layout.
    if ((await snapshot()).get(`worker-2:${EKS_KUBELET_CONFIG}`) !== drifted.get(`worker-2:${EKS_KUBELET_CONFIG}`)) {
      expect((await cli('rollback', '--last', '--yes')).code).toBe(0);
    }
    expect(await snapshot()).toEqual(drifted);
  });

  it('goes from red to green with one apply, editing the JSON in place as JSON and leaving generated files alone', async () => {
    const planned = await plan();
    const result = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes', '--health-timeout', '60s');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const node of WORKERS) {
      expect(result.stdout).toMatch(new RegExp(`healthy ${node}: kubelet after`));
      const verdicts = await judgeEksNode(lab, node);
      const fixed = planned.findings.filter((f) => f.node === node && f.status === 'fail' && f.fixable).map((f) => f.controlId);
      const decisions = planned.findings.filter((f) => f.node === node && f.status === 'fail' && !f.fixable).map((f) => f.controlId);
      for (const id of fixed) expect([id, verdicts[id]]).toEqual([id, 'PASS']);
      for (const [id, verdict] of Object.entries(verdicts)) if (verdict === 'FAIL') expect(decisions).toContain(id);

      // Valid JSON, the drifted data with exactly the fixed keys changed, and every other line kept in order.
      const before = driftedJson.get(node)!;
      const after = await cat(node, EKS_KUBELET_CONFIG);
      const data = JSON.parse(after) as Record<string, unknown>;
      const expected = JSON.parse(before) as {
        authentication: { anonymous: { enabled: boolean }; x509?: unknown };
        authorization: { mode: string };
        featureGates: Record<string, boolean>;
      };
      expected.authentication.anonymous.enabled = false;
      expected.authentication.x509 = { clientCAFile: '/etc/kubernetes/pki/ca.crt' };
      expected.authorization.mode = 'Webhook';
      expected.featureGates.RotateKubeletServerCertificate = true;
      Object.assign(expected, { makeIPTablesUtilChains: true, rotateCertificates: true });
      expect(data).toEqual(expected);
      const changedKeys = /"(enabled|mode|RotateKubeletServerCertificate|makeIPTablesUtilChains|rotateCertificates)": (true|false|"AlwaysAllow"),?$/;
      const kept = before.split('\n').filter((line) => !changedKeys.test(line) && !/^\s+}$/.test(line));
      expect(isSubsequence(kept, after.split('\n'))).toBe(true);
      expect(after.endsWith('}\n')).toBe(true);

      expect(await kubeletArgs(node)).not.toMatch(/--read-only-port|--streaming-connection-idle-timeout/);
      // The read-only port is closed and anonymous requests are refused.
      expect((await sh(node, 'curl -s --max-time 3 http://127.0.0.1:10255/healthz')).code).not.toBe(0);
      expect((await sh(node, 'curl -sk --max-time 3 -o /dev/null -w "%{http_code}" https://127.0.0.1:10250/pods')).stdout).toBe('401');
    }
    const now = await snapshot(GENERATED);
    for (const [key, value] of now) expect([key, value]).toEqual([key, drifted.get(key)]);
  });

  it('is idempotent: the re-plan is empty (exit 0) and a second apply changes nothing', async () => {
    const replan = await cli('plan', '-i', lab.inventoryFile, ...SELECTION, '--detailed-exitcode');
    expect(replan.code).toBe(0);
    const before = await snapshot();
    const second = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/[Nn]othing to (do|change)/);
    expect(await snapshot()).toEqual(before);
  });

  it('rolls back byte-identical (content, mode, owner) and restarts the kubelet with its old command line', async () => {
    const result = await cli('rollback', '--last', '--yes');
    expect(result.code).toBe(0);
    expect(await snapshot()).toEqual(drifted);
    for (const node of WORKERS) {
      expect(await cat(node, EKS_KUBELET_CONFIG)).toBe(driftedJson.get(node));
      expect(await kubeletArgs(node)).toContain('--read-only-port=10255');
    }
  });
});

// Scenario `variant`: an AL2023 worker as nodeadm leaves it (config.json written
// by Go: 4-space indentation, no final newline; NODEADM_KUBELET_ARGS from
// /etc/eks/kubelet/environment), drifted with keys kube-bench reads missing from
// the JSON and an operator's drop-in whose KUBELET_EXTRA_ARGS (double-quoted,
// continued on a second line) carries `--read-only-port 10255` (space-separated)
// and a --feature-gates list. Node-only --benchmark auto must still find EKS.
describe('an EKS AL2023-style worker (lab distribution eks, scenario variant)', () => {
  const variant = distributionLab('eks-variant', { nodes: 2, distribution: 'eks', scenario: 'variant' });
  const FILES = [AL2023_KUBELET_CONFIG, EKS_KUBECONFIG, AL2023_DEBUG_DROP_IN, EKS_UNIT, AL2023_ENVIRONMENT];
  const state = async (paths: readonly string[] = FILES) => {
    const out = new Map<string, string>();
    for (const path of paths) out.set(path, (await variant.sh('worker-1', `stat -c '%a %U:%G' ${path} && sha256sum < ${path}`)).stdout);
    return out;
  };
  const EXPECTED_FAILING = ['3.1.1', '3.1.2', '3.1.3', '3.1.4', '3.2.1', '3.2.2', '3.2.3', '3.2.4', '3.2.6', '3.2.8', '3.2.9'];

  it('goes red to green with one apply, keeps the Go JSON style, re-plans empty, applies idle and rolls back byte-identical', async () => {
    const inventory = variant.lab.inventoryFile;
    const before = await state();
    const beforeJson = (await variant.sh('worker-1', `cat ${AL2023_KUBELET_CONFIG}`)).stdout;
    const red = await judgeEksNode(variant.lab, 'worker-1');
    expect(
      Object.keys(red)
        .filter((id) => red[id] === 'FAIL')
        .sort(),
    ).toEqual(EXPECTED_FAILING);

    const planned = await variant.cli('plan', '-i', inventory, ...SELECTION, '--json');
    expect(planned.code).toBe(0);
    const { benchmark, findings, changes } = JSON.parse(planned.stdout) as PlanJson;
    expect(benchmark.id).toBe('eks-1.8.0');
    expect(benchmark.chosenBy).toMatch(/kubelet runs with --image-credential-provider-[a-z-]+=\/etc\/eks\//);
    for (const id of EXPECTED_FAILING)
      expect(findings.find((f) => f.node === 'worker-1' && f.controlId === id)).toMatchObject({ status: 'fail', fixable: true });
    expect(
      changes
        .filter((c) => c.kind === 'kubelet-file')
        .map((c) => c.target)
        .sort(),
    ).toEqual([AL2023_KUBELET_CONFIG, AL2023_DEBUG_DROP_IN].sort());

    const applied = await variant.cli('apply', '-i', inventory, ...SELECTION, '--yes', '--health-timeout', '60s');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const green = await judgeEksNode(variant.lab, 'worker-1');
    expect(Object.keys(green).filter((id) => green[id] === 'FAIL')).toEqual([]);
    // The missing keys were added, in Go's style (4 spaces, no final newline); the other gate in the flag stays.
    const json = (await variant.sh('worker-1', `cat ${AL2023_KUBELET_CONFIG}`)).stdout;
    expect(JSON.parse(json)).toMatchObject({ readOnlyPort: 0, featureGates: { RotateKubeletServerCertificate: true }, authorization: { mode: 'Webhook' } });
    expect(json).toMatch(/^ {4}"readOnlyPort": 0,?$/m);
    expect(json.endsWith('}')).toBe(true);
    expect(
      isSubsequence(
        beforeJson.split('\n').filter((l) => !/AlwaysAllow|makeIPTablesUtilChains|^\s+[\]}],?$/.test(l)),
        json.split('\n'),
      ),
    ).toBe(true);
    const argv = (await variant.sh('worker-1', 'ps -o args= -C kubelet')).stdout;
    expect(argv).toContain('--feature-gates=InPlacePodVerticalScaling=true');
    expect(argv).not.toMatch(/--anonymous-auth|--read-only-port|--rotate-certificates|RotateKubeletServerCertificate/);
    const after = await state([EKS_UNIT, AL2023_ENVIRONMENT]);
    for (const [path, value] of after) expect([path, value]).toEqual([path, before.get(path)]);

    expect((await variant.cli('plan', '-i', inventory, ...SELECTION, '--detailed-exitcode')).code).toBe(0);
    const applyAgain = await variant.cli('apply', '-i', inventory, ...SELECTION, '--yes');
    expect(applyAgain.code).toBe(0);
    expect(applyAgain.stdout).toMatch(/[Nn]othing to (do|change)/);

    expect((await variant.cli('rollback', '--last', '--yes')).code).toBe(0);
    expect(await state()).toEqual(before);
    expect((await variant.sh('worker-1', `cat ${AL2023_KUBELET_CONFIG}`)).stdout).toBe(beforeJson);
    expect((await variant.sh('worker-1', 'ps -o args= -C kubelet')).stdout).toContain('--read-only-port 10255');
  }, 120_000);
});
