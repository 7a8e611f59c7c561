import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFacts } from '../../../../src/facts/parse-facts.js';
import type { NodeFacts, PresentPath } from '../../../../src/facts/types.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import type { Benchmark } from '../../../../src/playbook/types.js';
import { planControls } from '../support/plan-node.js';

const fixture = fileURLToPath(new URL('../../facts/fixtures/kubeadm-control-plane.out', import.meta.url));
const stock = parseFacts('cp-1', readFileSync(fixture));
let benchmark: Benchmark;

beforeAll(async () => {
  benchmark = await loadBenchmark('cis-1.12');
});

/** The stock facts with some paths' metadata changed, and optionally other users. */
function withPaths(changes: Record<string, Partial<PresentPath>>, users = stock.users): NodeFacts {
  const paths = { ...stock.paths };
  for (const [path, change] of Object.entries(changes)) {
    const entry = paths[path];
    if (!entry?.exists) throw new Error(`fixture has no ${path}`);
    paths[path] = { ...entry, ...change };
  }
  return { ...stock, paths, users };
}

/** Evaluated and planned as makePlan does: the findings with fixable decided, and the file changes. */
function evaluate(facts: NodeFacts, only: string[], parameters: Record<string, string> = {}) {
  return planControls(benchmark, only, { name: 'cp-1', roles: ['control-plane', 'etcd'], facts, parameters });
}

describe('the file-mode and file-owner kinds', () => {
  it("fails kubeadm's 0644 kubelet config and proposes 0600, passing the 0600 manifest", () => {
    const { findings, changes } = evaluate(stock, ['1.1.1', '4.1.9']);
    expect(findings.find((f) => f.controlId === '1.1.1')).toMatchObject({ status: 'pass', kubeBench: 'PASS' });
    expect(findings.find((f) => f.controlId === '4.1.9')).toMatchObject({ status: 'fail', fixable: true, kubeBench: 'FAIL' });
    expect(changes.map((c) => [c.target, c.diff])).toEqual([['/var/lib/kubelet/config.yaml', 'mode 0644 -> 0600']]);
  });

  it('leaves a 0400 file alone: stricter than 600 satisfies the control', () => {
    const { findings, changes } = evaluate(withPaths({ '/etc/kubernetes/manifests/kube-apiserver.yaml': { mode: '400' } }), ['1.1.1']);
    expect(findings[0]).toMatchObject({ status: 'pass' });
    expect(changes).toEqual([]);
  });

  it('only clears bits: 0755 becomes 0700 for the etcd data dir, 2644 loses setgid and group read', () => {
    const { changes } = evaluate(withPaths({ '/var/lib/etcd': { mode: '755' }, '/var/lib/kubelet/config.yaml': { mode: '2644' } }), ['1.1.11', '4.1.9']);
    expect(changes.map((c) => c.diff).sort()).toEqual(['mode 0755 -> 0700', 'mode 2644 -> 0600']);
  });

  it('asks for a decision on the etcd data dir owner instead of creating a user', () => {
    const [finding] = evaluate(stock, ['1.1.12']).findings;
    expect(finding).toMatchObject({ status: 'fail', fixable: false, decisionParameter: 'etcdDataDirOwner', kubeBench: 'FAIL' });
  });

  it('waives 1.1.12 when the user chose to keep root, and saying kube-bench still fails it', () => {
    const [finding] = evaluate(stock, ['1.1.12'], { etcdDataDirOwner: 'root' }).findings;
    expect(finding?.status).toBe('waived');
    expect(finding?.notFixableReason).toMatch(/etcdDataDirOwner="root".*kube-bench still reports FAIL/);
  });

  it('creates the etcd account only because the parameter chose it, and says so in the plan', () => {
    const users = stock.users.filter((u) => u.name !== 'etcd');
    const groups = stock.groups.filter((g) => g.name !== 'etcd');
    const facts = { ...withPaths({}, users), groups };
    const { findings, changes } = evaluate(facts, ['1.1.12'], { etcdDataDirOwner: 'etcd' });
    expect(findings[0]).toMatchObject({ status: 'fail', fixable: true });
    const [change] = changes;
    expect(change).toMatchObject({ kind: 'file-owner', target: '/var/lib/etcd', after: { user: 'etcd', group: 'etcd', createAccount: true } });
    expect(change?.diff).toBe('owner root:root -> etcd:etcd (first creates the system account etcd:etcd, as parameter-chosen)');
  });

  it('never creates an account for a literal owner that is missing', () => {
    const users = stock.users.filter((u) => u.name !== 'root');
    const [finding] = evaluate(withPaths({ '/etc/kubernetes/manifests/kube-apiserver.yaml': { user: 'ops', uid: 1000 } }, users), ['1.1.2']).findings;
    expect(finding).toMatchObject({ status: 'fail', fixable: false });
    expect(finding?.notFixableReason).toMatch(/user root does not exist on this node; cis-fix never creates accounts silently/);
  });

  it('merges the controls that want the same file into one change naming all of them', () => {
    const facts = withPaths({ '/etc/kubernetes/pki/apiserver.key': { mode: '666' } });
    const { changes } = evaluate(facts, ['1.1.21']);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ target: '/etc/kubernetes/pki/apiserver.key', controlIds: ['1.1.21'], after: { mode: '600' } });
  });

  it('still tightens the config the kubelet really uses when the file kube-bench looks for does not exist', () => {
    const custom = '/etc/kubernetes/kubelet-custom.yaml';
    const kubelet = stock.components.kubelet!;
    const argv = [...kubelet.argv.filter((a) => !a.startsWith('--config')), `--config=${custom}`];
    const configEntry = stock.paths['/var/lib/kubelet/config.yaml'];
    if (!configEntry?.exists) throw new Error('fixture has no kubelet config');
    const facts: NodeFacts = {
      ...stock,
      components: { ...stock.components, kubelet: { ...kubelet, argv } },
      processes: stock.processes.map((p) => (p.component === 'kubelet' ? { ...p, argv } : p)),
      paths: {
        ...stock.paths,
        '/var/lib/kubelet/config.yaml': { path: '/var/lib/kubelet/config.yaml', exists: false },
        [custom]: { ...configEntry, path: custom, inode: configEntry.inode + 1 },
      },
    };
    const { findings, changes } = evaluate(facts, ['4.1.9']);
    expect(findings[0]).toMatchObject({ status: 'fail', fixable: false });
    expect(findings[0]?.notFixableReason).toMatch(/\/var\/lib\/kubelet\/config\.yaml does not exist/);
    expect(changes.map((c) => [c.target, c.diff])).toEqual([[custom, 'mode 0644 -> 0600']]);
  });

  it('reports manual controls as manual with the reason', () => {
    const [finding] = evaluate(stock, ['1.2.20']).findings;
    expect(finding).toMatchObject({ status: 'manual', fixable: false });
    expect(finding?.notFixableReason).toBeTruthy();
  });
});
