import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';
import { filesBelow } from './support/files-below.js';

// Issue 4, support files: the audit policy (3.2.1), the encryption config with
// a key generated on the node (1.2.27/1.2.28) and the EventRateLimit admission
// config (1.2.9), created before the kube-apiserver manifest that names them.
const INSTANCE = 'e2e-support';
const SELECTION = ['--nodes', 'cp-1', '--only', '1.2.9,1.2.27,1.2.28,3.2.1'];
const MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';
const FILES = {
  audit: '/etc/kubernetes/audit/policy.yaml',
  encryption: '/etc/kubernetes/encryption/config.yaml',
  admission: '/etc/kubernetes/admission/admission-config.yaml',
};
let lab: LabState;
let stateDir: string;
let scratch: string;
let originalManifest: string;
const outputs: string[] = [];

const cli = async (...args: string[]) => {
  const result = await runCli(args, { CIS_FIX_STATE_DIR: stateDir });
  outputs.push(result.stdout, result.stderr);
  return result;
};
const sh = async (script: string) => nodeExec(lab, 'cp-1', ['/bin/sh', '-c', script]);
const apiserverArgs = async () => (await sh('ps -o args= -C kube-apiserver')).stdout.trim().split(' ');

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 1, scenario: 'stock', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-support-'));
  originalManifest = (await sh(`cat ${MANIFEST}`)).stdout;
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('support files', () => {
  it('plans the files before the manifest, with the key shown as generated on the node', async () => {
    const result = await cli('plan', '-i', lab.inventoryFile, ...SELECTION, '--json');
    const plan = JSON.parse(result.stdout) as {
      changes: { kind: string; target: string; action: string; controlIds: string[]; diff: string; precondition: { exists: boolean } }[];
    };
    expect(plan.changes.map((c) => [c.kind, c.target])).toEqual([
      ['support-file', FILES.admission],
      ['support-file', FILES.encryption],
      ['support-file', FILES.audit],
      ['static-pod-manifest', MANIFEST],
    ]);
    const encryption = plan.changes[1]!;
    expect(encryption).toMatchObject({ action: 'create', controlIds: ['1.2.27', '1.2.28'], precondition: { exists: false } });
    expect(encryption.diff).toContain('secret: <generated on the node at apply time>');
    expect(plan.changes[3]!.controlIds).toEqual(['1.2.9', '1.2.27', '1.2.28', '3.2.1']);
  });

  it('refuses a saved plan when a file it would create appeared meanwhile, changing nothing', async () => {
    const planFile = join(scratch, 'plan.json');
    expect((await cli('plan', '-i', lab.inventoryFile, ...SELECTION, '-o', planFile)).code).toBe(0);
    await sh(`mkdir -p /etc/kubernetes/audit && echo 'kind: Policy' > ${FILES.audit}`);
    const result = await cli('apply', planFile, '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${FILES.audit}.*now exists`));
    expect((await sh(`cat ${MANIFEST}`)).stdout).toBe(originalManifest);
    expect((await sh(`test -e ${FILES.encryption}`)).code).not.toBe(0);
    await sh('rm -rf /etc/kubernetes/audit');
  });

  it('creates the files root-only, then the manifest; kube-apiserver runs with the flags and is healthy', async () => {
    const result = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes', '--health-timeout', '60s');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/healthy cp-1: kube-apiserver after/);
    for (const path of Object.values(FILES)) {
      expect((await sh(`stat -c '%a %U:%G' ${path} $(dirname ${path})`)).stdout).toBe('600 root:root\n700 root:root\n');
    }
    // kube-bench's reading: the running command line (1.2.9, 1.2.27, 3.2.1) and the first provider of the file the flag names (1.2.28).
    const args = await apiserverArgs();
    expect(args).toContain(`--encryption-provider-config=${FILES.encryption}`);
    expect(args).toContain(`--audit-policy-file=${FILES.audit}`);
    expect(args).toContain(`--admission-control-config-file=${FILES.admission}`);
    expect(
      args
        .find((a) => a.startsWith('--enable-admission-plugins='))!
        .split('=')[1]!
        .split(','),
    ).toContain('EventRateLimit');
    const config = (await sh(`cat ${FILES.encryption}`)).stdout;
    expect(/providers:\n\s*- (\w+):/.exec(config)?.[1]).toBe('secretbox');
    expect((await sh(`grep -c 'qps: 5000' ${FILES.admission}`)).stdout.trim()).toBe('1');
    expect((await sh('curl -fsk --max-time 3 https://127.0.0.1:6443/readyz')).code).toBe(0);
  });

  it('never lets the generated key reach the workstation: not in any output, plan, journal or state file', async () => {
    const key = /secret: (\S+)/.exec((await sh(`cat ${FILES.encryption}`)).stdout)?.[1];
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/); // 32 random bytes, base64
    const haystacks = [...outputs, ...filesBelow(stateDir).map((f) => readFileSync(f, 'utf8')), ...filesBelow(scratch).map((f) => readFileSync(f, 'utf8'))];
    expect(haystacks.length).toBeGreaterThan(4);
    expect(haystacks.filter((h) => h.includes(key!))).toEqual([]);
  });

  it('is idempotent: an existing file is kept and the re-plan is empty', async () => {
    const before = (await sh(`sha256sum ${Object.values(FILES).join(' ')}`)).stdout;
    const plan = JSON.parse((await cli('plan', '-i', lab.inventoryFile, ...SELECTION, '--json')).stdout) as { changes: unknown[] };
    expect(plan.changes).toEqual([]);
    expect((await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes')).stdout).toMatch(/[Nn]othing to (do|change)/);
    expect((await sh(`sha256sum ${Object.values(FILES).join(' ')}`)).stdout).toBe(before);
  });

  it('rolls back: the manifest byte-identical, the created files and directories gone', async () => {
    const result = await cli('rollback', '--last', '--yes');
    expect(result.code).toBe(0);
    expect((await sh(`cat ${MANIFEST}`)).stdout).toBe(originalManifest);
    for (const path of Object.values(FILES)) {
      expect((await sh(`test -e $(dirname ${path})`)).code).not.toBe(0);
    }
  });
});
