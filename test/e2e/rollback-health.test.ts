import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';

// `cis-fix rollback` health-gates what it restores, as apply does (issue 9
// §4): a static pod whose restored command line the node refuses (a fault
// injected through /run/lab/faults, test/lab/node/faults.mjs) ends the
// rollback with exit 4, naming the component and what to do. The files are
// restored all the same: exit 4 means "restored, but not healthy — act".
const INSTANCE = 'e2e-rb-health';
const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
const MANIFESTS = COMPONENTS.map((c) => `/etc/kubernetes/manifests/${c}.yaml`);
const SELECTION = ['--nodes', 'cp-1', '--targets', 'master,etcd', '--skip', '1.1.*,1.2.9,1.2.27,1.2.28,3.2.1'];
let lab: LabState;
let stateDir: string;

const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });
const cat = async (path: string) => (await nodeExec(lab, 'cp-1', ['cat', path])).stdout;
const manifests = async () => new Map(await Promise.all(MANIFESTS.map(async (m) => [m, await cat(m)] as const)));
const setFaults = (text: string) => nodeExec(lab, 'cp-1', ['/bin/sh', '-c', `printf '%s\\n' "$1" > /run/lab/faults`, 'sh', text]);

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 2, scenario: 'drifted', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

describe('rollback health gate', () => {
  it('restores every manifest, waits for each restored component, and exits 4 naming the one that does not come back', async () => {
    const original = await manifests();
    const applied = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes', '--health-timeout', '90s');
    expect(applied.code).toBe(0);
    expect(await manifests()).not.toEqual(original);

    // The drifted API server ran with AlwaysAllow: from now on the node refuses to start it that way.
    await setFaults('kube-apiserver --authorization-mode=AlwaysAllow');
    const result = await cli('rollback', '--last', '--yes', '--health-timeout', '15s');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('cp-1: kube-apiserver did not come back healthy after the restore');
    expect(result.stderr).toMatch(/cmp -- \/var\/lib\/cis-fix\/backups\/\S+\/files\/etc\/kubernetes\/manifests\/kube-apiserver\.yaml/);
    expect(result.stdout).toMatch(/unhealthy cp-1: kube-apiserver/);
    for (const component of ['etcd', 'kube-controller-manager', 'kube-scheduler'])
      expect(result.stdout).toMatch(new RegExp(`healthy cp-1: ${component} after`));
    // The files are back, byte for byte, and nothing else stands in manifests/.
    expect(await manifests()).toEqual(original);
    expect((await nodeExec(lab, 'cp-1', ['ls', '-A', '/etc/kubernetes/manifests'])).stdout.trim().split('\n').sort()).toEqual(
      COMPONENTS.map((c) => `${c}.yaml`).sort(),
    );

    const runs = JSON.parse((await cli('runs', '--json')).stdout) as { kind: string; status: string }[];
    expect(runs.find((r) => r.kind === 'rollback')?.status).toBe('failed');
  }, 300_000);
});
