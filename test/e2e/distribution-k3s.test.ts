import { join } from 'node:path';
import { nodeExec, type LabState } from '../lab/lab.js';
import { distributionLab } from './support/distribution-lab.js';
import { judgeK3s, type Verdict } from './support/kube-bench-k3s.js';

// Issue 13 §3–§4 for k3s, end to end on the lab's k3s layout (a server and
// an agent, test/lab/distributions/k3s.ts): --benchmark auto picks
// k3s-cis-1.9 with and without the API; the drifted layout fails an
// independent kube-bench judge (support/kube-bench-k3s.ts: kube-bench's
// audits run on the node, its journalctl included); ONE apply fixes every
// control the plan fixes by editing /etc/rancher/k3s/config.yaml and
// tightening files, never touching what k3s generates; the re-plan is empty,
// a second apply changes nothing, a rollback is byte-identical; and a k3s
// that does not come back after the restart ends in a restore and exit 3.
const CONFIG = '/etc/rancher/k3s/config.yaml';
const { lab, stateDir, cli } = distributionLab('k3s', { nodes: 2 });

interface PlanJson {
  benchmark: { id: string; chosenBy: string };
  changes: { node: string; target: string; kind: string; controlIds: string[]; edits?: string[] }[];
  findings: { node?: string; controlId: string; status: string; fixable: boolean }[];
}

/** mode, owner and content hash of every file cis-fix may touch on a k3s node, and of what k3s generates. */
async function snapshot(node: string, on: LabState = lab): Promise<Map<string, string>> {
  const script = `
for p in $(find /etc/rancher /var/lib/rancher/k3s/server/cred /var/lib/rancher/k3s/server/tls /var/lib/rancher/k3s/server/etc /var/lib/rancher/k3s/agent /var/lib/cni /etc/systemd/system -xdev 2>/dev/null); do
  h=-; if [ -f "$p" ] && [ ! -L "$p" ]; then h=$(sha256sum "$p" | cut -d' ' -f1); fi
  printf '%s|%s|%s\\n' "$p" "$(stat -c '%a|%U:%G' "$p")" "$h"
done`;
  const result = await nodeExec(on, node, ['/bin/sh', '-c', script]);
  if (result.code !== 0) throw new Error(`snapshot of ${node}: ${result.stderr}`);
  return new Map(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('|')), line.slice(line.indexOf('|') + 1)] as const),
  );
}

const snapshotAll = async (on: LabState = lab) => new Map(await Promise.all(on.nodes.map(async (n) => [n.name, await snapshot(n.name, on)] as const)));

/** What k3s generates (everything under /var/lib/rancher/k3s): content hash only, its mode may be tightened. */
function generatedContent(all: Map<string, Map<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [node, paths] of all) {
    for (const [path, value] of paths) if (path.startsWith('/var/lib/rancher/k3s/')) out[`${node}:${path}`] = value.split('|')[2] ?? '';
  }
  return out;
}

const judgeAll = async (on: LabState = lab) => ({
  'cp-1': await judgeK3s(on, 'cp-1', ['master', 'node']),
  'worker-1': await judgeK3s(on, 'worker-1', ['node']),
});
const failing = (verdicts: Record<string, Map<string, Verdict>>) =>
  Object.entries(verdicts).flatMap(([node, v]) => [...v].filter(([, verdict]) => verdict === 'FAIL').map(([id]) => `${node}:${id}`));

describe('k3s', () => {
  it('picks k3s-cis-1.9 from the API server /version, and without the API from the nodes', async () => {
    const withApi = await cli('plan', '-i', lab.apiInventoryFile, '--only', '1.1.13', '--json');
    expect(withApi.code).toBe(0);
    expect((JSON.parse(withApi.stdout) as PlanJson).benchmark).toEqual({ id: 'k3s-cis-1.9', chosenBy: expect.stringContaining('v1.33.4+k3s1') });
    const nodesOnly = await cli('plan', '-i', lab.inventoryFile, '--only', '1.1.13', '--json');
    expect(nodesOnly.code).toBe(0);
    expect((JSON.parse(nodesOnly.stdout) as PlanJson).benchmark).toEqual({
      id: 'k3s-cis-1.9',
      chosenBy: expect.stringMatching(/k3s detected from node .*\/var\/lib\/rancher\/k3s\//),
    });
  });

  let plan: PlanJson;
  let before: Map<string, Map<string, string>>;

  it('fails the kube-bench judge on the drifted layout, and plans config.yaml edits and file fixes', async () => {
    const verdicts = await judgeAll();
    expect(failing(verdicts).sort()).toEqual(
      [
        ...['1.1.9', '1.1.13', '1.1.14', '1.1.15', '1.1.18', '1.1.20', '1.1.21', '1.2.1', '1.2.6', '1.2.15', '1.2.26', '1.3.2', '1.4.1', '1.4.2'],
        ...['4.1.5', '4.1.7', '4.2.1', '4.2.2', '4.2.4', '4.2.6'],
      ]
        .map((id) => `cp-1:${id}`)
        .concat(['worker-1:4.1.5', 'worker-1:4.1.7', 'worker-1:4.2.4', 'worker-1:4.2.10', 'worker-1:4.3.1'])
        .sort(),
    );
    const planned = await cli('plan', '-i', lab.inventoryFile, '--benchmark', 'auto', '-o', join(stateDir, 'plan.json'), '--json');
    expect(planned.code).toBe(0);
    plan = JSON.parse(planned.stdout) as PlanJson;
    const config = plan.changes.filter((c) => c.kind === 'rancher-config');
    expect(config.map((c) => `${c.node}:${c.target}`)).toEqual([`cp-1:${CONFIG}`, `worker-1:${CONFIG}`]);
    // 4.2.1 and 4.2.2: kube-bench reads the kube-apiserver's line for them (sic), fixed with 1.2.1 and 1.2.6.
    expect(config[0]?.controlIds).toEqual(['1.2.1', '1.2.6', '1.2.15', '1.3.2', '1.4.1', '1.4.2', '4.2.1', '4.2.2', '4.2.4', '4.2.6', '4.2.10']);
    // The kubelet and kube-proxy k3s runs inside its own process: their flags go to kubelet-arg and kube-proxy-arg, on the agent too.
    expect(config[1]?.controlIds).toEqual(['4.2.4', '4.2.10', '4.3.1']);
    expect(config[1]?.edits).toContain('kube-proxy-arg: set metrics-bind-address=127.0.0.1:10249');
    // Nothing k3s generates is rewritten: only modes and owners change there.
    expect(plan.changes.filter((c) => c.kind !== 'file-mode' && c.kind !== 'file-owner' && c.target !== CONFIG)).toEqual([]);
  });

  it('fixes with ONE apply every control the plan fixes, as kube-bench judges it, leaving failing only what needs a decision', async () => {
    before = await snapshotAll();
    const applied = await cli('apply', join(stateDir, 'plan.json'), '--yes', '--health-timeout', '60s');
    expect(applied.code).toBe(0);
    const verdicts = await judgeAll();
    const fixed = plan.findings.filter((f) => f.status === 'fail' && f.fixable).map((f) => `${f.node}:${f.controlId}`);
    const judged = fixed.filter((id) => verdicts[id.split(':')[0] as 'cp-1']?.has(id.split(':')[1] ?? ''));
    expect(judged.length).toBeGreaterThan(15);
    for (const id of judged) expect(`${id} ${verdicts[id.split(':')[0] as 'cp-1'].get(id.split(':')[1]!)}`).toBe(`${id} PASS`);
    const undecided = new Set(plan.findings.filter((f) => !f.fixable && (f.status === 'fail' || f.status === 'manual')).map((f) => `${f.node}:${f.controlId}`));
    expect(failing(verdicts).filter((id) => !undecided.has(id))).toEqual([]);
    expect(failing(verdicts).sort()).toEqual(['cp-1:1.2.26']);
    for (const id of ['4.2.1', '4.2.2', '4.2.3', '4.2.4', '4.2.6', '4.2.10', '4.3.1'].flatMap((c) => [`cp-1:${c}`, `worker-1:${c}`])) {
      expect(`${id} ${verdicts[id.split(':')[0] as 'cp-1'].get(id.split(':')[1]!)}`).toBe(`${id} PASS`);
    }
    // What k3s generates keeps its content; only config.yaml was rewritten.
    const after = await snapshotAll();
    expect(generatedContent(after)).toEqual(generatedContent(before));
    expect(after.get('cp-1')?.get(CONFIG)).not.toEqual(before.get('cp-1')?.get(CONFIG));
    const journal = await nodeExec(lab, 'cp-1', ['/bin/sh', '-c', "journalctl -m -u k3s | grep 'Running kube-apiserver' | tail -n1"]);
    expect(journal.stdout).toContain('--authorization-mode=Node,RBAC ');
    // k3s logged the agent's kubelet with the kubelet-arg values cis-fix wrote, in place of its drifted ones.
    const kubelet = await nodeExec(lab, 'worker-1', ['/bin/sh', '-c', "journalctl -m -u k3s -u k3s-agent | grep 'Running kubelet' | tail -n1"]);
    expect(kubelet.stdout).toContain(' --read-only-port=0 ');
    expect(kubelet.stdout).toContain(' --rotate-certificates=true ');
    expect(kubelet.stdout).not.toContain('--read-only-port=10255');
    // ...and its kube-proxy with the metrics address cis-fix wrote into kube-proxy-arg.
    const proxy = await nodeExec(lab, 'worker-1', ['/bin/sh', '-c', "journalctl -m -u k3s -u k3s-agent | grep 'Running kube-proxy' | tail -n1"]);
    expect(proxy.stdout).toContain(' --metrics-bind-address=127.0.0.1:10249 ');
    expect(proxy.stdout).not.toContain('0.0.0.0:10249');
  }, 240_000);

  it('plans nothing afterwards, and a second apply changes nothing', async () => {
    const replan = await cli('plan', '-i', lab.inventoryFile, '--detailed-exitcode');
    expect(replan.code).toBe(0);
    const state = await snapshotAll();
    const again = await cli('apply', '-i', lab.inventoryFile, '--yes');
    expect(again.code).toBe(0);
    expect(await snapshotAll()).toEqual(state);
  }, 120_000);

  it('rolls back byte-identical: content, mode and owner', async () => {
    const rolled = await cli('rollback', '--last', '--yes', '--health-timeout', '60s');
    expect(rolled.code).toBe(0);
    expect(await snapshotAll()).toEqual(before);
  }, 180_000);

  it('restores and exits 3 when k3s does not come back after the restart', async () => {
    await nodeExec(lab, 'cp-1', ['/bin/sh', '-c', "echo 'kube-apiserver --profiling=false' > /run/lab/faults"]);
    try {
      const applied = await cli('apply', '-i', lab.inventoryFile, '--yes', '--health-timeout', '15s');
      expect(applied.code).toBe(3);
      expect(applied.stderr + applied.stdout).toMatch(/kube-apiserver|k3s/);
      expect(await snapshotAll()).toEqual(before);
    } finally {
      await nodeExec(lab, 'cp-1', ['rm', '-f', '/run/lab/faults']);
    }
    const active = await nodeExec(lab, 'cp-1', ['systemctl', 'is-active', 'k3s']);
    expect(active.stdout.trim()).toBe('active');
  }, 240_000);
});

// Issue 13 on a k3s laid out differently (test/lab/distributions/k3s.ts, scenario `variant`): the join
// token inline in config.yaml (gathered redacted, never edited) with a kube-apiserver-arg list that a
// drop-in replaces (dead), every drift in config.yaml.d drop-ins read in byte order (`9-…` after `30-…`),
// a lone-string kube-scheduler-arg that a later `key+:` appends to, an agent whose only kubelet-arg is a
// `key+:` drop-in, and a README.txt k3s does not read.
describe('k3s variant: token in config.yaml, drifts only in config.yaml.d drop-ins, an agent-only worker', () => {
  const v = distributionLab('k3s-variant', { nodes: 2, distribution: 'k3s', scenario: 'variant' });
  const D = `${CONFIG}.d`;

  it('one apply edits only the drop-ins that win and turns kube-bench green but for decisions; re-plan empty, rollback exact', async () => {
    const red = failing(await judgeAll(v.lab));
    for (const id of ['cp-1:1.2.1', 'cp-1:1.2.6', 'cp-1:1.2.15', 'cp-1:1.3.2', 'cp-1:1.4.1', 'cp-1:1.4.2', 'cp-1:4.2.4', 'cp-1:4.2.6'])
      expect(red).toContain(id);
    for (const id of ['worker-1:4.2.4', 'worker-1:4.2.10', 'worker-1:4.3.1']) expect(red).toContain(id);
    const planned = await v.cli('plan', '-i', v.lab.inventoryFile, '--benchmark', 'auto', '--json');
    expect([planned.code, planned.stderr]).toEqual([0, '']);
    const first = JSON.parse(planned.stdout) as PlanJson;
    expect(first.benchmark.id).toBe('k3s-cis-1.9');
    expect(
      first.changes
        .filter((c) => c.kind === 'rancher-config')
        .map((c) => `${c.node}:${c.target}`)
        .sort(),
    ).toEqual(
      [
        `cp-1:${D}/10-kubelet.yaml`,
        `cp-1:${D}/20-apiserver.yaml`,
        `cp-1:${D}/30-debug.yaml`,
        `cp-1:${D}/9-scheduler.yaml`,
        `worker-1:${D}/50-kubelet.yaml`,
        `worker-1:${D}/60-proxy.yml`,
      ].sort(),
    );
    const before = await snapshotAll(v.lab);

    const applied = await v.cli('apply', '-i', v.lab.inventoryFile, '--benchmark', 'auto', '--yes', '--health-timeout', '60s');
    expect([applied.code, applied.stderr]).toEqual([0, '']);
    const green = await judgeAll(v.lab);
    const undecided = new Set(
      first.findings.filter((f) => !f.fixable && (f.status === 'fail' || f.status === 'manual')).map((f) => `${f.node}:${f.controlId}`),
    );
    expect(failing(green).filter((id) => !undecided.has(id))).toEqual([]);
    for (const f of first.findings.filter((x) => x.status === 'fail' && x.fixable)) {
      const verdict = green[f.node as 'cp-1']?.get(f.controlId);
      if (verdict) expect(`${f.node}:${f.controlId} ${verdict}`).toBe(`${f.node}:${f.controlId} PASS`);
    }
    const after = await snapshotAll(v.lab);
    expect(generatedContent(after)).toEqual(generatedContent(before));
    for (const node of ['cp-1', 'worker-1']) expect(after.get(node)?.get(CONFIG)).toEqual(before.get(node)?.get(CONFIG)); // the token's file
    expect(after.get('cp-1')?.get(`${D}/README.txt`)).toEqual(before.get('cp-1')?.get(`${D}/README.txt`));
    const scheduler = await v.sh('cp-1', "journalctl -m -u k3s | grep 'Running kube-scheduler' | tail -n1");
    expect(scheduler.stdout).toContain(' --bind-address=127.0.0.1 ');
    expect(scheduler.stdout).toContain(' --profiling=false ');

    const replan = await v.cli('plan', '-i', v.lab.inventoryFile, '--benchmark', 'auto', '--detailed-exitcode');
    expect([replan.code, replan.stderr]).toEqual([0, '']);
    const again = await v.cli('apply', '-i', v.lab.inventoryFile, '--benchmark', 'auto', '--yes');
    expect(again.stdout).toMatch(/Nothing to do: no change is pending/);
    const rolled = await v.cli('rollback', '--last', '--yes', '--health-timeout', '60s');
    expect([rolled.code, rolled.stderr]).toEqual([0, '']);
    expect(await snapshotAll(v.lab)).toEqual(before);
  }, 300_000);
});
