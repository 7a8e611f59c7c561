import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';
import { lockPresent } from './support/faults.js';
import { differences, snapshotAll, type PathSnapshot } from './support/node-snapshot.js';

// Issue 10 §4 and §6: no write ever follows a symlink. A directory on the
// way to a target replaced by a symlink after `plan -o` (as an attacker with
// write access to /etc/kubernetes could), or present already when planning,
// and a target file replaced by a symlink: apply exits 1 as stale, naming
// the link, and nothing is written anywhere — not through the link, not on
// the node. One lab; every scenario puts the node back as it was.
const INSTANCE = 'e2e-faults-links';
const AUDIT = '/etc/kubernetes/audit';
const ENCRYPTION = '/etc/kubernetes/encryption';
const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';
let lab: LabState;
let stateDir: string;
let scratch: string;
let original: Map<string, Map<string, PathSnapshot>>;

const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });
const sh = (script: string) => nodeExec(lab, 'cp-1', ['/bin/sh', '-c', script]);
/** Every file below the directories the links point to, with its hash: nothing may appear or change there. */
const outside = async () => (await sh('find /etc/ssl /var/tmp -xdev -type f -exec sha256sum {} + 2>/dev/null | sort')).stdout;

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 1, scenario: 'stock', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-links-'));
  original = await snapshotAll(lab);
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('symlinks on the way to a target', () => {
  it('refuses a saved plan after the audit and encryption directories became symlinks to /etc/ssl and /var/tmp, naming both links', async () => {
    const planFile = join(scratch, 'support.json');
    expect((await cli('plan', '-i', lab.inventoryFile, '--only', '1.2.27,3.2.1', '-o', planFile)).code).toBe(0);
    const before = await outside();
    await sh(`ln -s /etc/ssl ${AUDIT} && ln -s /var/tmp ${ENCRYPTION}`);
    try {
      const result = await cli('apply', planFile, '--yes');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('stale');
      expect(result.stderr).toContain(`cp-1:${AUDIT}/policy.yaml (${AUDIT} is a symbolic link)`);
      expect(result.stderr).toContain(`cp-1:${ENCRYPTION}/config.yaml (${ENCRYPTION} is a symbolic link)`);
      expect(await outside()).toBe(before);
      expect(await lockPresent(lab, 'cp-1')).toBe(false);
    } finally {
      await sh(`rm -f ${AUDIT} ${ENCRYPTION}`);
    }
    expect(differences(original, await snapshotAll(lab))).toEqual([]);
  });

  it('refuses to plan-and-apply through a symlinked directory that was there when planning', async () => {
    const before = await outside();
    await sh(`ln -s /etc/ssl ${AUDIT}`);
    try {
      const result = await cli('apply', '-i', lab.inventoryFile, '--only', '3.2.1', '--yes');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${AUDIT} is a symbolic link`);
      expect(await outside()).toBe(before);
    } finally {
      await sh(`rm -f ${AUDIT}`);
    }
    expect(differences(original, await snapshotAll(lab))).toEqual([]);
  });

  it('refuses a saved plan whose target file became a symlink, leaving the file it points to alone', async () => {
    const planFile = join(scratch, 'mode.json');
    expect((await cli('plan', '-i', lab.inventoryFile, '--only', '4.1.9', '-o', planFile)).code).toBe(0);
    // The same content and mode behind a link: only the link itself tells them apart.
    await sh(`cp -p ${KUBELET_CONFIG} /var/tmp/config.yaml && mv ${KUBELET_CONFIG} /var/tmp/config.yaml.orig && ln -s /var/tmp/config.yaml ${KUBELET_CONFIG}`);
    try {
      const result = await cli('apply', planFile, '--yes');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cp-1:${KUBELET_CONFIG} (is a symbolic link)`);
      expect((await sh('stat -c %a /var/tmp/config.yaml')).stdout.trim()).toBe('644');
    } finally {
      await sh(`rm -f ${KUBELET_CONFIG} /var/tmp/config.yaml && mv /var/tmp/config.yaml.orig ${KUBELET_CONFIG}`);
    }
    expect(differences(original, await snapshotAll(lab))).toEqual([]);
  });
});
