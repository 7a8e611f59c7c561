import { distributionLab } from './support/distribution-lab.js';
import { judgeRke2, type Verdicts } from './support/kube-bench-rke2.js';

// Issue 13 §3/§4, RKE2: cp-1 runs rke2-server, the workers rke2-agent
// (test/lab/distributions/rke2.ts). The drifted layout sets failing *-arg
// values in /etc/rancher/rke2/config.yaml and a config.yaml.d drop-in, and
// loosens a few RKE2 files. One apply edits config.yaml in place (comments
// kept), restarts rke2-server/rke2-agent, which regenerate the static pods
// and the kubelet's command line; the generated manifests are never edited by
// cis-fix. The verdict is an independent kube-bench judge
// (support/kube-bench-rke2.ts).
const CONFIG = '/etc/rancher/rke2/config.yaml';
const DROP_IN = `${CONFIG}.d/50-debug.yaml`;
const MANIFESTS = '/var/lib/rancher/rke2/agent/pod-manifests';
/** etcd's config, which RKE2 generates with etcd-arg merged in and kube-bench's 2.x checks cat. */
const ETCD_CONFIG = '/var/lib/rancher/rke2/server/db/etcd/config';
const NODES = ['cp-1', 'worker-1'];

const { lab, cli, sh } = distributionLab('rke2', { nodes: 2 });

interface PlanJson {
  benchmark: { id: string; chosenBy: string };
  findings: { controlId: string; node?: string; status: string; fixable: boolean; decisionParameter?: string }[];
  changes: { kind: string; node: string; target: string; controlIds: string[]; service?: string }[];
}

const plan = async (...extra: string[]): Promise<PlanJson> => {
  const result = await cli('plan', '-i', lab.inventoryFile, '--benchmark', 'auto', '--json', ...extra);
  if (result.code !== 0) throw new Error(`plan exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as PlanJson;
};
/** content hash, mode and owner of every file under RKE2's configuration and data (not etcd's database), per node. */
const snapshot = async (node: string, dirs = ['/etc/rancher/rke2', '/var/lib/rancher/rke2']) => {
  const script = `find ${dirs.join(' ')} -xdev \\( -path '*/server/db/etcd/member' -prune \\) -o -print 2>/dev/null | sort | while read -r p; do
  h=-; [ -f "$p" ] && h=$(sha256sum "$p" | cut -d' ' -f1); printf '%s %s %s\\n' "$(stat -c '%a %U:%G' "$p")" "$h" "$p"; done`;
  return (await sh(node, script)).stdout;
};
const manifestHashes = async () => (await sh('cp-1', `sha256sum ${MANIFESTS}/*.yaml ${ETCD_CONFIG}`)).stdout;
const verdicts = async () => Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await judgeRke2(lab, n)] as const))) as Record<string, Verdicts>;
const failing = (v: Record<string, Verdicts>) =>
  Object.entries(v)
    .flatMap(([node, checks]) => Object.entries(checks).flatMap(([id, verdict]) => (verdict === 'FAIL' ? [`${node}:${id}`] : [])))
    .sort();

describe('RKE2: config.yaml is the source that wins', () => {
  let before: Record<string, string>;
  let manifestsBefore: string;
  let firstPlan: PlanJson;
  let runId: string;

  it('--benchmark auto picks rke2-cis-1.8, from /version with the API and from the node without it', async () => {
    const withApi = await cli('plan', '-i', lab.apiInventoryFile, '--benchmark', 'auto', '--json', '--targets', 'node');
    expect(withApi.code).toBe(0);
    const apiPlan = JSON.parse(withApi.stdout) as PlanJson;
    expect(apiPlan.benchmark.id).toBe('rke2-cis-1.8');
    expect(apiPlan.benchmark.chosenBy).toContain('v1.33.4+rke2r1');
    firstPlan = await plan();
    expect(firstPlan.benchmark.id).toBe('rke2-cis-1.8');
    expect(firstPlan.benchmark.chosenBy).toMatch(/rke2/);
  }, 120_000);

  it('the drifted layout fails kube-bench, and the plan edits config.yaml and its drop-in, never a generated manifest', async () => {
    const red = await verdicts();
    for (const id of ['1.1.11', '1.1.13', '1.1.14', '1.2.6', '1.2.7', '1.2.8', '1.2.16', '1.3.2', '1.4.1', '1.4.2', '4.1.5', '4.2.1', '4.2.4'])
      expect([id, red['cp-1']![id]]).toEqual([id, 'FAIL']);
    expect(red['worker-1']!['4.2.1']).toBe('FAIL');
    // etcd-arg client-cert-auth=false and auto-tls=true land top-level in etcd's generated config, before the nested keys.
    for (const id of ['2.2', '2.3', '2.5']) expect([id, red['cp-1']![id]]).toEqual([id, 'FAIL']);
    for (const id of ['2.1', '2.4', '2.6', '2.7']) expect([id, red['cp-1']![id]]).toEqual([id, 'PASS']);
    const etcdChange = firstPlan.changes.find((c) => c.node === 'cp-1' && c.target === CONFIG);
    expect(etcdChange?.controlIds).toEqual(expect.arrayContaining(['2.2', '2.3', '2.5']));
    expect(firstPlan.changes.filter((c) => c.target === ETCD_CONFIG)).toEqual([]); // RKE2 rewrites it from etcd-arg; cis-fix never does

    const rancher = firstPlan.changes.filter((c) => c.kind === 'rancher-config');
    expect(rancher.map((c) => `${c.node}:${c.target}:${c.service}`).sort()).toEqual(
      [`cp-1:${CONFIG}:rke2-server`, `cp-1:${DROP_IN}:rke2-server`, `worker-1:${CONFIG}:rke2-agent`].sort(),
    );
    expect(firstPlan.changes.filter((c) => c.target.startsWith(MANIFESTS) || c.kind === 'static-pod-manifest' || c.kind === 'kubelet-file')).toEqual([]);
    before = Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await snapshot(n)] as const)));
    manifestsBefore = await manifestHashes();
  }, 120_000);

  it('one apply turns kube-bench green except for the controls the plan left to a decision; the comments stay', async () => {
    const applied = await cli('apply', '-i', lab.inventoryFile, '--benchmark', 'auto', '--yes', '--health-timeout', '90s');
    expect([applied.code, applied.stderr]).toEqual([0, '']);
    expect(applied.stdout).toMatch(/healthy cp-1: kube-apiserver after/);
    runId = /Run (\S+); undo with/.exec(applied.stdout)?.[1] ?? '';
    expect(runId).not.toBe('');

    const green = await verdicts();
    const fixed = new Set(firstPlan.changes.flatMap((c) => c.controlIds.map((id) => `${c.node}:${id}`)));
    const decisions = new Set(firstPlan.findings.filter((f) => f.status === 'fail' && !f.fixable).map((f) => `${f.node}:${f.controlId}`));
    for (const key of fixed)
      if (key.split(':')[1]! in green[key.split(':')[0]!]!) expect([key, green[key.split(':')[0]!]![key.split(':')[1]!]]).toEqual([key, 'PASS']);
    expect(failing(green).filter((key) => !decisions.has(key))).toEqual([]);

    const config = (await sh('cp-1', `cat ${CONFIG}`)).stdout;
    expect(config).toContain('# Left over from a debugging session (OPS-1234): remove once done.');
    expect(config).toContain('# RKE2 configuration for this node');
    expect(config).toContain('  - "profiling=false"');
    expect(config).toContain('# etcd debugging: RKE2 merges these into its generated etcd config file.');
    expect(config).toMatch(/etcd-arg:\n {2}- "client-cert-auth=true"\n {2}- "auto-tls=false"\n/);
    expect((await sh('cp-1', `cat ${DROP_IN}`)).stdout).toBe(
      '# Controller-manager debugging, appended to whatever config.yaml sets.\nkube-controller-manager-arg+:\n  - profiling=false\n',
    );
  }, 300_000);

  it('the generated manifests are only what RKE2 generates from config.yaml: restarting it again changes none of them', async () => {
    const after = await manifestHashes();
    expect(after).not.toBe(manifestsBefore); // RKE2 regenerated them from the new config.yaml
    // etcd's manifest is generated from nothing cis-fix changed: byte-identical. Its config file RKE2 rewrote from the new etcd-arg.
    const line = (text: string, name: string) => text.split('\n').find((l) => l.endsWith(`/${name}`));
    expect(line(after, 'etcd.yaml')).toBe(line(manifestsBefore, 'etcd.yaml'));
    expect(line(after, 'config')).not.toBe(line(manifestsBefore, 'config'));
    const etcdConfig = (await sh('cp-1', `cat ${ETCD_CONFIG}`)).stdout;
    expect(etcdConfig).toMatch(/^auto-tls: false\n/m);
    expect(etcdConfig).toMatch(/^client-cert-auth: true\nclient-transport-security:\n/m);
    expect((await sh('cp-1', 'systemctl restart rke2-server')).code).toBe(0);
    await waitFor(async () => (await sh('cp-1', 'curl -sk https://127.0.0.1:6443/readyz')).stdout === 'ok');
    expect(await manifestHashes()).toBe(after);
  }, 120_000);

  it('the re-plan is empty and a second apply changes nothing', async () => {
    const replan = await cli('plan', '-i', lab.inventoryFile, '--benchmark', 'auto', '--detailed-exitcode');
    expect([replan.code, replan.stderr]).toEqual([0, '']);
    const again = await cli('apply', '-i', lab.inventoryFile, '--benchmark', 'auto', '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to do: no change is pending/);
  }, 180_000);

  it('rollback restores every touched file byte for byte, with its mode and owner', async () => {
    const rolled = await cli('rollback', runId, '--yes', '-i', lab.inventoryFile, '--health-timeout', '90s');
    expect([rolled.code, rolled.stderr]).toEqual([0, '']);
    for (const node of NODES) expect((await snapshot(node)).split('\n')).toEqual(before[node]!.split('\n'));
  }, 240_000);

  it('a service that does not come back is restored automatically: exit 3, files as they were', async () => {
    const original = await snapshot('cp-1', ['/etc/rancher/rke2']);
    // From now on rke2-server refuses to start with the API server's profiling off.
    await sh('cp-1', `printf '%s\\n' 'rke2-server --kube-apiserver-arg=profiling=false' > /run/lab/faults`);
    const applied = await cli('apply', '-i', lab.inventoryFile, '--benchmark', 'auto', '--nodes', 'cp-1', '--yes', '--health-timeout', '20s');
    expect(applied.code).toBe(3);
    expect(applied.stdout + applied.stderr).toMatch(/did not become healthy/);
    expect(await snapshot('cp-1', ['/etc/rancher/rke2'])).toBe(original);
    expect((await sh('cp-1', 'systemctl is-active rke2-server')).stdout.trim()).toBe('active');
    await sh('cp-1', 'rm -f /run/lab/faults');
  }, 240_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('timed out');
}

// Issue 13 on an RKE2 laid out differently (test/lab/distributions/rke2.ts, scenario `variant`): the join
// token inline in config.yaml (cis-fix gathers it redacted and may never edit it), every drift in
// config.yaml.d drop-ins read in byte order (`9-…` after `30-…`), a later list replacing config.yaml's
// (dead) one, `key+:` appending (on the agent, to nothing), a flow list, `--flag=` entries, and a
// `.yaml.disabled` file RKE2 does not read.
describe('RKE2 variant: token in config.yaml, drifts only in config.yaml.d drop-ins, an agent-only worker', () => {
  const v = distributionLab('rke2-variant', { nodes: 2, distribution: 'rke2', scenario: 'variant' });
  const D = `${CONFIG}.d`;
  const vVerdicts = async () =>
    Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await judgeRke2(v.lab, n)] as const))) as Record<string, Verdicts>;
  const vSnapshot = async (node: string) => {
    const script = `find /etc/rancher/rke2 /var/lib/rancher/rke2 -xdev \\( -path '*/server/db/etcd/member' -prune \\) -o -print 2>/dev/null | sort | while read -r p; do
  h=-; [ -f "$p" ] && h=$(sha256sum "$p" | cut -d' ' -f1); printf '%s %s %s\\n' "$(stat -c '%a %U:%G' "$p")" "$h" "$p"; done`;
    return (await v.sh(node, script)).stdout;
  };

  it('one apply edits only the drop-ins that win and turns kube-bench green but for decisions; re-plan empty, rollback exact', async () => {
    const planned = await v.cli('plan', '-i', v.lab.inventoryFile, '--benchmark', 'auto', '--json');
    expect([planned.code, planned.stderr]).toEqual([0, '']);
    const first = JSON.parse(planned.stdout) as PlanJson;
    expect(first.benchmark.id).toBe('rke2-cis-1.8');

    const red = await vVerdicts();
    for (const id of ['1.1.11', '1.1.13', '1.2.6', '1.2.16', '1.3.2', '1.4.1', '1.4.2', '2.2', '2.3', '4.2.1', '4.2.4'])
      expect([id, red['cp-1']![id]]).toEqual([id, 'FAIL']);
    for (const id of ['4.2.1', '4.2.4']) expect([id, red['worker-1']![id]]).toEqual([id, 'FAIL']);
    // config.yaml's own kube-apiserver-arg (anonymous-auth=true, AlwaysAllow alone) is dead: 20-apiserver.yaml replaces it.
    expect((await v.sh('cp-1', 'ps -ef | grep -c "[k]ube-apiserver.*--anonymous-auth=true"')).stdout.trim()).toBe('0');

    const rancher = first.changes.filter((c) => c.kind === 'rancher-config');
    expect(rancher.map((c) => `${c.node}:${c.target}:${c.service}`).sort()).toEqual(
      [
        `cp-1:${D}/10-kubelet.yaml:rke2-server`,
        `cp-1:${D}/20-apiserver.yaml:rke2-server`,
        `cp-1:${D}/30-debug.yml:rke2-server`,
        `cp-1:${D}/9-scheduler.yaml:rke2-server`,
        `worker-1:${D}/50-kubelet.yaml:rke2-agent`,
      ].sort(),
    );
    expect(first.changes.filter((c) => c.target.startsWith(MANIFESTS) || c.target === ETCD_CONFIG || c.target === CONFIG)).toEqual([]);
    const before = Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await vSnapshot(n)] as const)));

    const applied = await v.cli('apply', '-i', v.lab.inventoryFile, '--benchmark', 'auto', '--yes', '--health-timeout', '90s');
    expect([applied.code, applied.stderr]).toEqual([0, '']);
    const runId = /Run (\S+); undo with/.exec(applied.stdout)?.[1] ?? '';
    const green = await vVerdicts();
    const decisions = new Set(first.findings.filter((f) => f.status === 'fail' && !f.fixable).map((f) => `${f.node}:${f.controlId}`));
    expect(failing(green).filter((key) => !decisions.has(key))).toEqual([]);
    for (const c of rancher) for (const id of c.controlIds) if (id in green[c.node]!) expect([c.node, id, green[c.node]![id]]).toEqual([c.node, id, 'PASS']);
    const after = Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await vSnapshot(n)] as const)));
    const line = (snap: string, path: string) => snap.split('\n').find((l) => l.endsWith(` ${path}`));
    for (const node of NODES) expect(line(after[node]!, CONFIG)).toBe(line(before[node]!, CONFIG)); // the token's file, untouched
    expect(line(after['cp-1']!, `${D}/40-old.yaml.disabled`)).toBe(line(before['cp-1']!, `${D}/40-old.yaml.disabled`));

    const replan = await v.cli('plan', '-i', v.lab.inventoryFile, '--benchmark', 'auto', '--detailed-exitcode');
    expect([replan.code, replan.stderr]).toEqual([0, '']);
    const again = await v.cli('apply', '-i', v.lab.inventoryFile, '--benchmark', 'auto', '--yes');
    expect(again.stdout).toMatch(/Nothing to do: no change is pending/);

    const rolled = await v.cli('rollback', runId, '--yes', '-i', v.lab.inventoryFile, '--health-timeout', '90s');
    expect([rolled.code, rolled.stderr]).toEqual([0, '']);
    for (const node of NODES) expect((await vSnapshot(node)).split('\n')).toEqual(before[node]!.split('\n'));
  }, 300_000);
});
