/**
 * kube-bench's verdict on the 4.2 kubelet checks, reproduced from facts:
 * flag on the `ps` line first, else the jsonpath in $kubeletconf.
 */

import { beforeAll, describe, expect, it } from '@jest/globals';
import { evaluateJsonPath, goPrint } from '../../../../src/evaluate/kubelet/kube-bench-jsonpath.js';
import { kubeBenchKubeletVerdict, kubeletPsOutput } from '../../../../src/evaluate/kubelet/kube-bench-verdict.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import type { Benchmark, KubeBenchCheck } from '../../../../src/playbook/types.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import { kubeletNode, labFacts } from './support/kubelet-node.js';
import { CONFIG, FLAGS_ENV, customConfigPathNode, kubeadmFiles, rhelNode } from './support/layouts.js';

let benchmark: Benchmark;
beforeAll(async () => {
  benchmark = await loadBenchmark('cis-1.12');
});

function check(id: string): KubeBenchCheck {
  const control = benchmark.controls.find((c) => c.id === id);
  if (!control) throw new Error(`no control ${id}`);
  return control.kubeBench;
}

function verdicts(facts: NodeFacts): Record<string, string | undefined> {
  return Object.fromEntries(benchmark.controls.filter((c) => c.section === '4.2').map((c) => [c.id, kubeBenchKubeletVerdict(c.kubeBench, facts).verdict]));
}

describe('kubeBenchKubeletVerdict', () => {
  it('gives the verdicts the reference expects for kubeadm on the recorded stock lab node', () => {
    expect(verdicts(labFacts('lab-stock'))).toEqual({
      '4.2.1': 'PASS',
      '4.2.2': 'PASS',
      '4.2.3': 'PASS',
      '4.2.4': 'PASS',
      '4.2.5': 'PASS',
      '4.2.6': 'PASS',
      '4.2.7': 'PASS',
      '4.2.8': 'PASS',
      '4.2.9': 'WARN',
      '4.2.10': 'PASS',
      '4.2.11': 'PASS',
      '4.2.12': 'WARN',
      '4.2.13': 'WARN',
      '4.2.14': 'WARN',
    });
  });

  it('fails the drifted lab node on the flag in kubeadm-flags.env although config.yaml says Webhook', () => {
    const result = kubeBenchKubeletVerdict(check('4.2.2'), labFacts('lab-drifted'));
    expect(result.verdict).toBe('FAIL');
    expect(result.items).toEqual([{ keyword: '--authorization-mode', source: 'flag', found: true, value: 'AlwaysAllow', passed: false }]);
    expect(verdicts(labFacts('lab-drifted'))).toMatchObject({ '4.2.1': 'FAIL', '4.2.4': 'WARN', '4.2.10': 'FAIL' });
  });

  it('reads $kubeletconf, the first existing candidate, even when the kubelet uses another --config', () => {
    // The kubelet reads a config with anonymous auth on; kube-bench reads the stale copy at /var/lib/kubelet/config.yaml.
    const stale = customConfigPathNode('stale-copy');
    expect(kubeBenchKubeletVerdict(check('4.2.1'), stale)).toMatchObject({ verdict: 'FAIL', configPath: CONFIG });
    // With no copy, kube-bench falls through to /etc/default/kubelet, which holds no such key.
    const none = customConfigPathNode('none');
    const result = kubeBenchKubeletVerdict(check('4.2.1'), none);
    expect(result.configPath).toBe('/etc/default/kubelet');
    expect(result).toMatchObject({ verdict: 'FAIL', items: [{ source: 'none', found: false }] });
    // "Not set" items pass there: 4.2.4 (read-only port) is not found anywhere.
    expect(kubeBenchKubeletVerdict(check('4.2.4'), none).verdict).toBe('PASS');
  });

  it("takes a flag from the command line before the config file, with kube-bench's first-match reading", () => {
    const facts = rhelNode();
    expect(kubeBenchKubeletVerdict(check('4.2.1'), facts).items[0]).toMatchObject({ source: 'flag', value: 'true', passed: false });
    expect(kubeBenchKubeletVerdict(check('4.2.7'), facts).verdict).toBe('WARN');
  });

  it('reproduces the 4.2.11 quirk: the rest of --feature-gates after the gate name is the value', () => {
    const node = (gates: string) => kubeletNode({ files: { ...kubeadmFiles('lab-stock'), [FLAGS_ENV]: `KUBELET_KUBEADM_ARGS="--feature-gates=${gates}"\n` } });
    expect(kubeBenchKubeletVerdict(check('4.2.11'), node('RotateKubeletServerCertificate=true')).verdict).toBe('PASS');
    expect(kubeBenchKubeletVerdict(check('4.2.11'), node('RotateKubeletServerCertificate=true,Other=false')).verdict).toBe('WARN');
  });

  it('joins tlsCipherSuites with the range jsonpath for 4.2.12', () => {
    const facts = kubeletNode({
      files: {
        ...kubeadmFiles('lab-stock'),
        [CONFIG]: 'kind: KubeletConfiguration\ntlsCipherSuites:\n- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n- TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n',
      },
    });
    const result = kubeBenchKubeletVerdict(check('4.2.12'), facts);
    expect(result.items[0]).toMatchObject({ source: 'config', value: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,' });
    expect(result.verdict).toBe('PASS');
  });

  it('fails (or warns, unscored) when no kubelet process runs', () => {
    const facts = kubeletNode({ files: kubeadmFiles('lab-stock'), argv: null });
    expect(kubeletPsOutput(facts)).toBeUndefined();
    expect(kubeBenchKubeletVerdict(check('4.2.1'), facts).verdict).toBe('FAIL');
    expect(kubeBenchKubeletVerdict(check('4.2.4'), facts).verdict).toBe('WARN');
  });

  it('says it does not know when the file kube-bench reads was not gathered', () => {
    const facts = kubeletNode({ files: { ...kubeadmFiles('lab-stock'), [CONFIG]: { content: { kind: 'withheld', reason: 'too-large' } } } });
    expect(kubeBenchKubeletVerdict(check('4.2.1'), facts)).toMatchObject({ verdict: undefined, unknownBecause: expect.stringContaining(CONFIG) });
  });
});

describe('evaluateJsonPath', () => {
  it('prints like Go: missing keys empty, false found, nil, numbers as go-yaml or encoding/json hold them', () => {
    const data = { a: { enabled: false, n: null, port: 1000000, ratio: 0.5 }, list: ['x', 'y'] };
    expect(evaluateJsonPath('{.a.enabled}', data, 'yaml')).toEqual({ ok: true, text: 'false' });
    expect(evaluateJsonPath('{.a.missing.deeper}', data, 'yaml')).toEqual({ ok: true, text: '' });
    expect(evaluateJsonPath('{.a.n}', data, 'yaml')).toEqual({ ok: true, text: '<nil>' });
    expect(evaluateJsonPath('{.a.port}', data, 'yaml')).toEqual({ ok: true, text: '1000000' });
    expect(evaluateJsonPath('{.a.port}', data, 'json')).toEqual({ ok: true, text: '1e+06' });
    expect(evaluateJsonPath('{.a.ratio}', data, 'json')).toEqual({ ok: true, text: '0.5' });
    expect(evaluateJsonPath('{.list}', data, 'yaml')).toEqual({ ok: true, text: '[x y]' });
    expect(evaluateJsonPath("{range .list[:]}{}{','}{end}", data, 'yaml')).toEqual({ ok: true, text: 'x,y,' });
    expect(evaluateJsonPath('{.list[1]}', data, 'yaml')).toEqual({ ok: true, text: 'y' });
    expect(evaluateJsonPath('{.a[0]}', data, 'yaml').ok).toBe(false);
    expect(evaluateJsonPath('{.a..b}', data, 'yaml').ok).toBe(false);
  });

  it('prints maps sorted by key, like fmt', () => {
    expect(goPrint({ b: 1, a: true }, 'yaml')).toBe('map[a:true b:1]');
  });
});
