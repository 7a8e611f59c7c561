import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFacts } from '../../../../src/facts/parse-facts.js';
import { planSupportFile, SECRET_SHOWN_AS, shareClusterSecrets, unsharedClusterSecrets } from '../../../../src/plan/kinds/support-file-content.js';
import type { SupportFileStep } from '../../../../src/playbook/types.js';

const facts = parseFacts('cp-1', readFileSync(fileURLToPath(new URL('../../facts/fixtures/kubeadm-control-plane.out', import.meta.url))));
const step: SupportFileStep = {
  kind: 'support-file',
  when: undefined,
  path: { param: 'encryptionConfigPath' },
  mode: '600',
  owner: 'root',
  group: 'root',
  content: 'limit: ${param.qps}\nsecret: ${secret.key}\n',
  generatedSecrets: [{ name: 'key', bytes: 32, encoding: 'base64', scope: 'cluster' }],
  onExisting: 'keep',
} as SupportFileStep;

describe('planSupportFile', () => {
  it('plans a creation with parameters filled in and the secret left for the node, shown as generated there', () => {
    const plan = planSupportFile(step, 'cp-1', facts, { encryptionConfigPath: '/etc/kubernetes/enc/config.yaml', qps: 50 });
    expect(plan.kind).toBe('create');
    if (plan.kind !== 'create') return;
    expect(plan.change).toMatchObject({ kind: 'support-file', action: 'create', target: '/etc/kubernetes/enc/config.yaml', precondition: { exists: false } });
    expect(plan.change.after).toEqual({
      content: 'limit: 50\nsecret: ${secret.key}\n',
      mode: '600',
      secrets: [{ name: 'key', bytes: 32, scope: 'cluster' }],
      sha256: undefined,
    });
    expect(plan.change.diff).toContain(`+secret: ${SECRET_SHOWN_AS}`);
  });

  it('keeps an existing file, names a missing parameter, and refuses the manifests directory', () => {
    expect(planSupportFile(step, 'cp-1', facts, { encryptionConfigPath: '/etc/kubernetes/admin.conf', qps: 1 })).toEqual({
      kind: 'exists',
      path: '/etc/kubernetes/admin.conf',
    });
    expect(planSupportFile(step, 'cp-1', facts, { qps: 1 })).toEqual({ kind: 'needs-parameter', parameter: 'encryptionConfigPath' });
    expect(planSupportFile(step, 'cp-1', facts, { encryptionConfigPath: '/x.yaml' })).toEqual({ kind: 'needs-parameter', parameter: 'qps' });
    const inManifests = planSupportFile(step, 'cp-1', facts, { encryptionConfigPath: '/etc/kubernetes/manifests/enc.yaml', qps: 1 });
    expect(inManifests.kind).toBe('refused');
    expect(planSupportFile(step, 'cp-1', facts, { encryptionConfigPath: 'relative.yaml', qps: 1 }).kind).toBe('refused');
  });
});

describe('shareClusterSecrets', () => {
  it('copies a cluster-wide key from a node that already holds the file, and leaves node-scoped files alone', () => {
    const plan = planSupportFile(step, 'cp-2', facts, { encryptionConfigPath: '/etc/kubernetes/enc/config.yaml', qps: 1 });
    if (plan.kind !== 'create') throw new Error('expected a creation');
    const change = { ...plan.change, controlIds: ['1.2.27'] };
    const holder = {
      ...facts,
      paths: { ...facts.paths, '/etc/kubernetes/enc/config.yaml': { ...facts.paths['/etc/kubernetes/admin.conf']!, path: '/etc/kubernetes/enc/config.yaml' } },
    } as typeof facts;
    const [shared] = shareClusterSecrets(
      [change],
      new Map([
        ['cp-1', holder],
        ['cp-2', facts],
      ]),
    );
    expect(shared).toMatchObject({ after: { copyFrom: 'cp-1' } });
    expect(shared!.diff).toContain('copied from cp-1');
    const [alone] = shareClusterSecrets([change], new Map([['cp-2', facts]]));
    expect(alone).toBe(change);
    const nodeScoped = { ...change, after: { ...change.after, secrets: [{ name: 'key', bytes: 32, scope: 'node' as const }] } };
    expect(
      shareClusterSecrets(
        [nodeScoped],
        new Map([
          ['cp-1', holder],
          ['cp-2', facts],
        ]),
      )[0],
    ).toBe(nodeScoped);
  });
});

describe('unsharedClusterSecrets', () => {
  it('refuses to generate a cluster-wide key while a control plane that may hold one is unreachable', () => {
    const plan = planSupportFile(step, 'cp-1', facts, { encryptionConfigPath: '/etc/kubernetes/enc/config.yaml', qps: 1 });
    if (plan.kind !== 'create') throw new Error('expected a creation');
    const change = { ...plan.change, controlIds: ['1.2.27'] };
    expect(unsharedClusterSecrets([change], ['cp-3'])).toMatch(
      /new cluster-wide key for \/etc\/kubernetes\/enc\/config.yaml on cp-1, but cannot tell whether cp-3 already holds one/,
    );
    expect(unsharedClusterSecrets([change], [])).toBeUndefined();
    expect(unsharedClusterSecrets([{ ...change, after: { ...change.after, copyFrom: 'cp-2' } }], ['cp-3'])).toBeUndefined();
  });
});
