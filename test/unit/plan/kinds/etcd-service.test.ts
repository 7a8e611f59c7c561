/**
 * The etcd-service kind (issue 13 §3, external etcd): a cis-1.12 etcd flag
 * control on a node whose etcd is a systemd service is judged on etcd's
 * command line and ETCD_* variables, and fixed in the source that wins —
 * the flag where the unit or a drop-in writes it, else the variable where
 * it is assigned, else a variable appended to the environment file.
 */

import { beforeAll, describe, expect, it } from '@jest/globals';
import { routedToEtcdService } from '../../../../src/plan/kinds/etcd-service-controls.js';
import { etcdServiceHandler } from '../../../../src/plan/kinds/etcd-service.js';
import { nodeScopeOf } from '../../../../src/plan/kinds/invariant-scope.js';
import { changeSchema } from '../../../../src/plan/plan-schema.js';
import { changeOverview } from '../../../../src/render/plan-overview.js';
import type { Benchmark, ParameterValue } from '../../../../src/playbook/types.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import { changesOf, planControls } from '../support/plan-node.js';
import { DROP_IN, dropIn, ENV_FILE, etcdServiceNode, layout, MANIFEST } from './support/etcd-service-node.js';
import { benchmarkWithDefaults } from '../support/benchmark-with-defaults.js';

let benchmark: Benchmark;
let parameters: Readonly<Record<string, ParameterValue>>;
beforeAll(async () => {
  ({ benchmark, parameters } = await benchmarkWithDefaults('cis-1.12'));
});

const SECTION_2 = ['2.1', '2.2', '2.3', '2.4', '2.5', '2.6'];

function plan(facts: NodeFacts, only = SECTION_2) {
  const planned = planControls(benchmark, only, { name: 'cp-1', roles: ['control-plane', 'etcd'], facts, parameters });
  return { findings: planned.findings, changes: changesOf(planned.changes, 'etcd-service'), all: planned.changes };
}

/** The node as the planned changes and a restart leave it. */
function after(facts: NodeFacts, changes: ReturnType<typeof plan>['changes']): NodeFacts {
  const files: Record<string, string> = {};
  for (const [path, entry] of Object.entries(facts.paths)) if (entry.exists && entry.content.kind === 'text') files[path] = entry.content.text;
  for (const c of changes) files[c.target] = c.after.content;
  return etcdServiceNode(files);
}

describe('the etcd-service kind', () => {
  it('passes every etcd control of the stock service: flags and ETCD_* variables are both read', () => {
    const { findings, all } = plan(etcdServiceNode(layout('stock')));
    expect(findings.map((f) => [f.controlId, f.status])).toEqual(SECTION_2.map((id) => [id, 'pass']));
    expect(all).toEqual([]);
  });

  it('routes etcd flag steps to the service only where etcd is not a static pod', () => {
    const control = benchmark.controls.find((c) => c.id === '2.2')!;
    const ctx = (facts: NodeFacts) => ({ name: 'cp-1', roles: ['etcd'] as const, facts, parameters });
    const service = etcdServiceNode(layout('drifted'));
    expect(routedToEtcdService(control, { ...ctx(service), roles: ['etcd'] }, { etcdManifest: ['/usr/lib/systemd/system/etcd.service'] })).toBe(true);
    const withManifest = etcdServiceNode({ ...layout('drifted'), [MANIFEST]: 'apiVersion: v1\nkind: Pod\n' });
    expect(routedToEtcdService(control, { ...ctx(withManifest), roles: ['etcd'] }, { etcdManifest: [MANIFEST] })).toBe(false);
    const apiserver = benchmark.controls.find((c) => c.id === '1.2.15')!;
    expect(routedToEtcdService(apiserver, { ...ctx(service), roles: ['etcd'] }, {})).toBe(false);
  });

  it('edits the winning source of each setting: a variable in place, an appended variable, a flag in the drop-in', () => {
    const facts = etcdServiceNode(layout('drifted'));
    const { findings, changes } = plan(facts);
    expect(findings.filter((f) => f.status === 'fail').map((f) => [f.controlId, f.fixable])).toEqual([
      ['2.2', true],
      ['2.3', true],
      ['2.5', true],
      ['2.6', true],
    ]);
    expect(changes.map((c) => [c.target, c.controlIds, c.daemonReload, c.unit, c.restart])).toEqual([
      [ENV_FILE, ['2.2', '2.5', '2.6'], true, 'etcd.service', 'etcd'],
      [DROP_IN, ['2.3'], true, 'etcd.service', 'etcd'],
    ]);
    const env = changes[0]!;
    const before = layout('drifted')[ENV_FILE]!;
    // Each assignment keeps its own quoting; nothing else moves.
    expect(env.after.content).toBe(
      before
        .replace('ETCD_CLIENT_CERT_AUTH="false"', 'ETCD_CLIENT_CERT_AUTH="true"')
        .replace("ETCD_PEER_AUTO_TLS='true'", "ETCD_PEER_AUTO_TLS='false'")
        .concat('ETCD_PEER_CLIENT_CERT_AUTH="true"\n'),
    );
    expect(env.edits).toEqual([
      'ETCD_CLIENT_CERT_AUTH: false -> true (edited in place)',
      'ETCD_PEER_CLIENT_CERT_AUTH=true (appended)',
      'ETCD_PEER_AUTO_TLS: true -> false (edited in place)',
    ]);
    expect(changes[1]!.after.content).toBe(dropIn('--experimental-initial-corrupt-check=true --auto-tls=false'));
    expect(changes[1]!.after.argv).toEqual(['/usr/bin/etcd', '--experimental-initial-corrupt-check=true', '--auto-tls=false']);
    expect(changes[1]!.after.healthUrl).toBe('http://127.0.0.1:2381/health');
    expect(changes[1]!.before.argv).toEqual(['/usr/bin/etcd', '--experimental-initial-corrupt-check=true', '--auto-tls=true']);
  });

  it('leaves nothing to do once the changes are in place (idempotent)', () => {
    const facts = etcdServiceNode(layout('drifted'));
    const fixed = after(facts, plan(facts).changes);
    const again = plan(fixed);
    expect(again.findings.map((f) => f.status)).toEqual(SECTION_2.map(() => 'pass'));
    expect(again.changes).toEqual([]);
  });

  it('refuses, and says why, when a flag and its variable are both set (etcd would not start)', () => {
    const facts = etcdServiceNode({ ...layout('drifted'), [DROP_IN]: dropIn('--client-cert-auth=false') }, false);
    const { findings, changes } = plan(facts, ['2.2']);
    expect(findings[0]).toMatchObject({ controlId: '2.2', status: 'fail', fixable: false });
    expect(findings[0]!.notFixableReason).toContain('etcd refuses to start with both');
    expect(changes).toEqual([]);
  });

  it('never copies an environment file that holds a credential into a plan', () => {
    const facts = etcdServiceNode({ ...layout('drifted'), [ENV_FILE]: `${layout('drifted')[ENV_FILE]}ETCD_ROOT_PASSWORD="s3cr3t"\n` });
    const { findings, changes } = plan(facts, ['2.2']);
    expect(findings[0]).toMatchObject({ controlId: '2.2', fixable: false });
    expect(findings[0]!.notFixableReason).toContain('ETCD_ROOT_PASSWORD, a credential');
    expect(JSON.stringify(changes)).not.toContain('s3cr3t');
  });

  it("edits an environment file that names etcd's initial cluster token (RHEL's commented default, kubespray's assignment): no credential", () => {
    for (const line of ['#ETCD_INITIAL_CLUSTER_TOKEN="etcd-cluster"\n', 'ETCD_INITIAL_CLUSTER_TOKEN=k8s_etcd\n']) {
      const facts = etcdServiceNode({ ...layout('drifted'), [ENV_FILE]: `${layout('drifted')[ENV_FILE]}${line}` });
      const { findings, changes } = plan(facts, ['2.2']);
      expect(findings[0]).toMatchObject({ controlId: '2.2', status: 'fail', fixable: true });
      expect(changes.map((c) => c.target)).toEqual([ENV_FILE]);
      expect(changes[0]!.after.content).toContain(line);
    }
  });

  it("edits kubespray's environment file, whose ETCDCTL_KEY names a file; a key that holds no path stays a credential", () => {
    const kubespray = 'ETCDCTL_ENDPOINTS=https://127.0.0.1:2379\nETCDCTL_KEY=/etc/ssl/etcd/ssl/admin-cp-1-key.pem\n';
    const facts = etcdServiceNode({ ...layout('drifted'), [ENV_FILE]: `${layout('drifted')[ENV_FILE]}${kubespray}` });
    expect(plan(facts, ['2.2']).findings[0]).toMatchObject({ controlId: '2.2', status: 'fail', fixable: true });
    // The last: base64 key material may begin with "/", and is no file name.
    const base64 = 'ETCDCTL_KEY=/s3cr3tQ9zK4mW7vB2nX8yR1tL6pH0cJ5dF3gA7eU9iO2k=\n';
    for (const secret of ['ETCDCTL_KEY=s3cr3t\n', 'ETCDCTL_KEY=/etc/ssl/etcd/ssl/admin-cp-1-key.pem\n# ETCDCTL_KEY=s3cr3t\n', base64]) {
      const refused = plan(etcdServiceNode({ ...layout('drifted'), [ENV_FILE]: `${layout('drifted')[ENV_FILE]}${secret}` }), ['2.2']);
      expect(refused.findings[0]!.notFixableReason).toContain('ETCDCTL_KEY, a credential');
      expect(JSON.stringify(refused.changes)).not.toContain('s3cr3t');
    }
  });

  it('refuses a change it could not health-check: no plain-HTTP metrics listener and no https client URL', () => {
    const drifted = layout('drifted')[ENV_FILE]!;
    const env = drifted
      .replace('ETCD_LISTEN_METRICS_URLS="http://127.0.0.1:2381"\n', '')
      .replace('ETCD_LISTEN_CLIENT_URLS="https://127.0.0.1:2379,https://10.0.0.10:2379"', 'ETCD_LISTEN_CLIENT_URLS="http://127.0.0.1:2379"');
    const { findings, changes } = plan(etcdServiceNode({ ...layout('drifted'), [ENV_FILE]: env }), ['2.2']);
    expect(findings[0]!.notFixableReason).toContain('--listen-metrics-urls');
    expect(changes).toEqual([]);
  });

  it("health-checks over TLS with etcd's own client certificate when there is no metrics listener, before and after the edit", () => {
    const env = layout('drifted')[ENV_FILE]!.replace('ETCD_LISTEN_METRICS_URLS="http://127.0.0.1:2381"\n', '');
    const { changes } = plan(etcdServiceNode({ ...layout('drifted'), [ENV_FILE]: env }), ['2.2']);
    const tls = { caFile: '/etc/etcd/pki/ca.crt', certFile: '/etc/etcd/pki/server.crt', keyFile: '/etc/etcd/pki/server.key' };
    expect(changes.map((c) => [c.after.healthUrl, c.after.healthTls, c.before.healthUrl, c.before.healthTls])).toEqual([
      ['https://127.0.0.1:2379/health', tls, 'https://127.0.0.1:2379/health', tls],
    ]);
    // Paths only: nothing of a key is in the plan.
    expect(changeSchema.parse(JSON.parse(JSON.stringify(changes[0])))).toEqual(JSON.parse(JSON.stringify(changes[0])));
  });

  it('writes changes the plan file schema and the kind invariants accept', () => {
    const { changes } = plan(etcdServiceNode(layout('drifted')));
    const scope = nodeScopeOf(benchmark, { facts: undefined, parameters });
    for (const change of changes) {
      expect(changeSchema.parse(JSON.parse(JSON.stringify(change)))).toEqual(JSON.parse(JSON.stringify(change)));
      expect(etcdServiceHandler.invariants(change, scope)).toEqual([]);
    }
    expect(etcdServiceHandler.invariants({ ...changes[0]!, target: '/etc/kubernetes/pki/etcd/server.key' }, scope)).toHaveLength(1);
  });

  it('shows one restart of etcd.service per node in the plan overview, not manifest restarts', () => {
    const { changes } = plan(etcdServiceNode(layout('drifted')));
    expect(changeOverview(changes)).toMatchObject({
      targets: 2,
      files: 0,
      manifestRestarts: [],
      kubeletRestarts: [],
      serviceRestarts: ['etcd.service on cp-1'],
    });
  });

  it('edits a flag where a variable the ExecStart line expands holds it ($DAEMON_ARGS in /etc/default/etcd)', () => {
    const env = `${layout('stock')[ENV_FILE]}DAEMON_ARGS="--auto-tls=true --heartbeat-interval=200"\n`;
    const { findings, changes } = plan(etcdServiceNode({ ...layout('stock'), [ENV_FILE]: env }), ['2.3']);
    expect(findings[0]).toMatchObject({ controlId: '2.3', status: 'fail', fixable: true });
    expect(changes.map((c) => [c.target, c.daemonReload])).toEqual([[ENV_FILE, false]]);
    expect(changes[0]!.after.content).toBe(env.replace('--auto-tls=true', '--auto-tls=false'));
    expect(changes[0]!.after.argv).toEqual(['/usr/bin/etcd', '--auto-tls=false', '--heartbeat-interval=200', '--peer-client-cert-auth=true']);
  });

  it('never copies a unit that sets a credential in Environment= into a plan', () => {
    const unit = dropIn('--experimental-initial-corrupt-check=true --auto-tls=true').replace('[Service]\n', '[Service]\nEnvironment="ETCD_ROOT_TOKEN=t0k3n"\n');
    const { findings, changes } = plan(etcdServiceNode({ ...layout('drifted'), [DROP_IN]: unit }), ['2.3']);
    expect(findings[0]!.notFixableReason).toContain('ETCD_ROOT_TOKEN, a credential');
    expect(JSON.stringify(changes)).not.toContain('t0k3n');
  });
});
