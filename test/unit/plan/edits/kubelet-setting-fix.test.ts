/**
 * planKubeletSettingFix / planKubeletSettingFixes: the edits that make a
 * kubelet setting compliant by editing the source that wins, on the lab's
 * recorded nodes and the tricky layouts; idempotence and kube-bench's
 * verdict after the fix.
 */

import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseEnvironmentFile } from '../../../../src/evaluate/kubelet/environment-file.js';
import { splitWords } from '../../../../src/evaluate/kubelet/systemd-words.js';
import { kubeBenchKubeletVerdict } from '../../../../src/evaluate/kubelet/kube-bench-verdict.js';
import { resolveAllVariables } from '../../../../src/evaluate/resolve-variables.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import { planKubeletSettingFix, type KubeletSettingFix } from '../../../../src/plan/edits/kubelet-setting-fix.js';
import { planKubeletSettingFixes } from '../../../../src/plan/edits/kubelet-setting-fixes.js';
import { factsAfterKubeletEdits } from '../../../../src/plan/edits/kubelet-simulate.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import { resolveParameters } from '../../../../src/playbook/parameter-value.js';
import type { Benchmark, KubeletSettingStep, ParameterValue } from '../../../../src/playbook/types.js';
import { fixture, kubeletNode, labFacts, textOf } from '../../evaluate/kubelet/support/kubelet-node.js';
import {
  CONFIG,
  CUSTOM_CONFIG,
  FLAGS_ENV,
  RESET_DROP_IN,
  SYSCONFIG_KUBELET,
  commentedConfigNode,
  customConfigPathNode,
  driftedNode,
  execStartResetNode,
  kubeadmFiles,
  rhelNode,
  stockNode,
} from '../../evaluate/kubelet/support/layouts.js';
import { runs } from '../../support/property-runs.js';

let benchmark: Benchmark;
let parameters: Readonly<Record<string, ParameterValue>>;
beforeAll(async () => {
  benchmark = await loadBenchmark('cis-1.12');
  parameters = resolveParameters(benchmark, { podPidsLimit: 4096, enableSeccompDefault: true, removeHostnameOverride: true }).values;
});

function steps(id: string): KubeletSettingStep[] {
  const control = benchmark.controls.find((c) => c.id === id);
  if (control?.fix !== 'ensure') throw new Error(`${id} has no ensure steps`);
  return control.ensure.filter((s): s is KubeletSettingStep => s.kind === 'kubelet-setting');
}

function step(id: string, index = 0): KubeletSettingStep {
  const found = steps(id)[index];
  if (!found) throw new Error(`${id} has no step ${index}`);
  return found;
}

function plan(facts: NodeFacts, id: string, index = 0, params: Readonly<Record<string, ParameterValue>> = parameters): KubeletSettingFix {
  return planKubeletSettingFix(facts, step(id, index), params, resolveAllVariables(benchmark, facts));
}

function fixOf(result: KubeletSettingFix): Extract<KubeletSettingFix, { kind: 'fix' }> {
  if (result.kind !== 'fix') throw new Error(`expected a fix, got ${result.kind}: ${JSON.stringify(result.kind === 'not-fixable' ? result.reasons : result)}`);
  return result;
}

/** Every kubelet-setting step of 4.2, keyed "<control>#<step>". */
function allSteps(): { key: string; step: KubeletSettingStep }[] {
  return benchmark.controls
    .filter((c) => c.section === '4.2' && c.fix === 'ensure')
    .flatMap((c) => (c.fix === 'ensure' ? c.ensure : []).flatMap((s, i) => (s.kind === 'kubelet-setting' ? [{ key: `${c.id}#${i}`, step: s }] : [])));
}

function applied(facts: NodeFacts, fix: Extract<KubeletSettingFix, { kind: 'fix' }>): NodeFacts {
  return factsAfterKubeletEdits(facts, new Map(fix.edits.map((e) => [e.path, e.after])));
}

function verdict(id: string, facts: NodeFacts): string | undefined {
  const control = benchmark.controls.find((c) => c.id === id);
  if (!control) throw new Error(id);
  return kubeBenchKubeletVerdict(control.kubeBench, facts).verdict;
}

describe('planKubeletSettingFix on the recorded lab nodes', () => {
  it('finds the stock kubeadm node compliant where config.yaml sets the key', () => {
    const facts = labFacts('lab-stock');
    for (const id of ['4.2.1', '4.2.2', '4.2.3', '4.2.4', '4.2.6', '4.2.10']) expect([id, plan(facts, id).kind]).toEqual([id, 'compliant']);
  });

  it('removes the overriding flag from KUBELET_KUBEADM_ARGS on the drifted node and leaves config.yaml, which already says Webhook', () => {
    const facts = labFacts('lab-drifted');
    const fix = fixOf(plan(facts, '4.2.2'));
    expect(fix.current.source).toMatchObject({ kind: 'flag', file: FLAGS_ENV, variable: 'KUBELET_KUBEADM_ARGS', line: 1 });
    expect(fix.edits).toHaveLength(1);
    const [edit] = fix.edits;
    expect(edit).toMatchObject({
      path: FLAGS_ENV,
      purpose: 'kubelet',
      daemonReload: false,
      beforeSha256: facts.paths[FLAGS_ENV]?.exists ? facts.paths[FLAGS_ENV].sha256 : null,
    });
    expect(edit?.before).toBe(fixture('lab-drifted/kubeadm-flags.env'));
    expect(edit?.after).toBe(
      'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"\n',
    );
    expect(edit?.changes).toEqual([`remove --authorization-mode=AlwaysAllow from KUBELET_KUBEADM_ARGS (${FLAGS_ENV}:1)`]);
    expect(edit?.diff).toContain(`--- ${FLAGS_ENV}\n+++ ${FLAGS_ENV}\n@@ -1,1 +1,1 @@\n`);
    expect(edit?.diff).toContain(
      '-KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10 --authorization-mode=AlwaysAllow"',
    );
    expect(fix.after).toMatchObject({ value: 'Webhook', source: { kind: 'config', file: CONFIG } });
    expect(fix.restart).toBe('kubelet');
    expect([verdict('4.2.2', facts), verdict('4.2.2', applied(facts, fix))]).toEqual(['FAIL', 'PASS']);
  });

  it('sets the key in config.yaml when no flag overrides it', () => {
    const facts = labFacts('lab-drifted');
    const fix = fixOf(plan(facts, '4.2.1'));
    expect(fix.edits.map((e) => [e.path, e.changes])).toEqual([[CONFIG, ['set authentication.anonymous.enabled: false']]]);
    expect(fix.edits[0]?.diff).toContain('-    enabled: true\n+    enabled: false');
    expect(verdict('4.2.1', applied(facts, fix))).toBe('PASS');
  });
});

describe('planKubeletSettingFix on tricky layouts', () => {
  it('removes a flag from kubeadm-flags.env AND sets the key when config.yaml is not compliant either', () => {
    const facts = driftedNode({
      [FLAGS_ENV]: 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --anonymous-auth=true"\n',
    });
    const fix = fixOf(plan(facts, '4.2.1'));
    expect(fix.edits.map((e) => [e.path, e.changes])).toEqual([
      [FLAGS_ENV, [`remove --anonymous-auth=true from KUBELET_KUBEADM_ARGS (${FLAGS_ENV}:1)`]],
      [CONFIG, ['set authentication.anonymous.enabled: false']],
    ]);
    expect(fix.edits[0]?.after).toBe('KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock"\n');
    expect(fix.after.source).toMatchObject({ kind: 'config', file: CONFIG });
  });

  it("edits the kubelet's real --config at a non-default path, and keeps kube-bench's stale copy in step", () => {
    const facts = customConfigPathNode('stale-copy');
    const fix = fixOf(plan(facts, '4.2.1'));
    expect(fix.edits.map((e) => [e.path, e.purpose])).toEqual([
      [CUSTOM_CONFIG, 'kubelet'],
      [CONFIG, 'kube-bench'],
    ]);
    expect(fix.notes).toEqual([
      `also set authentication.anonymous.enabled in ${CONFIG}: kube-bench reads that file instead of the kubelet's --config ${CUSTOM_CONFIG}`,
    ]);
    expect([verdict('4.2.1', facts), verdict('4.2.1', applied(facts, fix))]).toEqual(['FAIL', 'PASS']);
  });

  it('says when kube-bench will still fail because it reads a file that is not a KubeletConfiguration', () => {
    const facts = customConfigPathNode('none');
    const fix = fixOf(plan(facts, '4.2.1'));
    expect(fix.edits.map((e) => e.path)).toEqual([CUSTOM_CONFIG]);
    expect(fix.notes[0]).toContain("kube-bench reads /etc/default/kubelet, not the kubelet's --config");
    expect(verdict('4.2.1', applied(facts, fix))).toBe('FAIL');
  });

  it('removes RHEL-style flags from KUBELET_EXTRA_ARGS in /etc/sysconfig/kubelet, one by one, keeping the rest of the line', () => {
    const facts = rhelNode();
    const readOnly = fixOf(plan(facts, '4.2.4'));
    // config.yaml has no readOnlyPort: the default (0) is compliant once the flag is gone, so the config is not touched.
    expect(readOnly.edits.map((e) => e.path)).toEqual([SYSCONFIG_KUBELET]);
    expect(readOnly.edits[0]?.after).toBe(
      '# Extra kubelet flags (set by the node bootstrap)\nKUBELET_EXTRA_ARGS="--node-labels=tier=batch --anonymous-auth=true --hostname-override=worker-7.internal"\n',
    );
    expect(readOnly.after).toMatchObject({ value: 0, source: { kind: 'default' } });

    const hostname = fixOf(plan(facts, '4.2.7'));
    expect(hostname.edits[0]?.after).toContain('KUBELET_EXTRA_ARGS="--node-labels=tier=batch --read-only-port=10255 --anonymous-auth=true"\n');
    expect(plan(facts, '4.2.7', 0, { ...parameters, removeHostnameOverride: false })).toMatchObject({ kind: 'declined', parameter: 'removeHostnameOverride' });
    const { removeHostnameOverride: _unset, ...withoutChoice } = parameters;
    expect(plan(facts, '4.2.7', 0, withoutChoice)).toMatchObject({ kind: 'needs-parameter', parameter: 'removeHostnameOverride' });
    // Without the override there is nothing to opt in to.
    expect(plan(stockNode(), '4.2.7', 0, withoutChoice).kind).toBe('compliant');
  });

  it("removes literal flags from a drop-in's replacement ExecStart= (a continued line) and asks for a daemon-reload", () => {
    const facts = execStartResetNode();
    const fix = fixOf(plan(facts, '4.2.4'));
    expect(fix.edits.map((e) => [e.path, e.daemonReload])).toEqual([[RESET_DROP_IN, true]]);
    expect(fix.daemonReload).toBe(true);
    expect(fix.edits[0]?.after).toBe(fixture('exec-start-reset/20-hardening-exceptions.conf').replace('--read-only-port=10255 ', ''));
  });

  it('keeps the comments and every untouched line of a hand-written config.yaml', () => {
    const facts = commentedConfigNode();
    const before = textOf(facts, CONFIG);
    const node = planKubeletSettingFixes(
      facts,
      [
        { key: '4.2.1', step: step('4.2.1') },
        { key: '4.2.4', step: step('4.2.4') },
      ],
      parameters,
    );
    expect(node.edits).toHaveLength(1);
    const after = node.edits[0]?.after ?? '';
    const changed = (text: string) => text.split('\n').filter((l) => (l.includes('enabled: ') && l.includes('TODO')) || l.startsWith('readOnlyPort'));
    expect(changed(after)).toEqual([
      '    enabled: false   # TODO(platform): turn off once the probe agent uses a token',
      'readOnlyPort: 0 # legacy metrics scraping',
    ]);
    const untouched = (text: string) => text.split('\n').filter((l) => !changed(text).includes(l));
    expect(untouched(after)).toEqual(untouched(before));
    expect(node.edits[0]?.stepKeys).toEqual(['4.2.1', '4.2.4']);
  });

  it('drops one feature gate from --feature-gates and keeps the others', () => {
    const facts = kubeletNode({
      files: { ...kubeadmFiles('lab-stock'), [FLAGS_ENV]: 'KUBELET_KUBEADM_ARGS="--feature-gates=A=true,RotateKubeletServerCertificate=false --v=2"\n' },
    });
    const fix = fixOf(plan(facts, '4.2.11', 0));
    expect(fix.edits[0]?.after).toBe('KUBELET_KUBEADM_ARGS="--feature-gates=A=true --v=2"\n');
    expect(fix.edits[0]?.changes).toEqual([
      `change --feature-gates=A=true,RotateKubeletServerCertificate=false to --feature-gates=A=true in KUBELET_KUBEADM_ARGS (${FLAGS_ENV}:1)`,
    ]);
    expect(plan(applied(facts, fix), '4.2.11', 1).kind).toBe('compliant');
  });
});

describe('planKubeletSettingFix refuses what it cannot do safely', () => {
  it('never edits a file whose gathered text is not verbatim', () => {
    const redacted = driftedNode({ [FLAGS_ENV]: { text: fixture('lab-drifted/kubeadm-flags.env'), verbatim: false } });
    const result = plan(redacted, '4.2.2');
    expect(result.kind).toBe('not-fixable');
    expect(result.kind === 'not-fixable' && result.reasons[0]).toContain('never edits a file it has not seen byte for byte');
    const redactedConfig = driftedNode({ [CONFIG]: { text: fixture('lab-drifted/config.yaml'), verbatim: false } });
    expect(plan(redactedConfig, '4.2.1')).toMatchObject({
      kind: 'not-fixable',
      reasons: [expect.stringContaining(`${CONFIG} was gathered with credentials redacted`)],
    });
  });

  it('does not guess while the unit differs from the running kubelet', () => {
    const facts = stockNode({}, [...(labFacts('lab-drifted').components.kubelet?.argv ?? [])]);
    const result = plan(facts, '4.2.2');
    expect(result).toMatchObject({ kind: 'not-fixable', current: { value: 'AlwaysAllow' } });
    expect(result.kind === 'not-fixable' && result.reasons[0]).toContain('Restart the kubelet');
  });

  it('does not edit a flag built from ${VAR} inside a larger word', () => {
    const facts = kubeletNode({
      files: {
        ...kubeadmFiles('lab-stock'),
        '/etc/systemd/system/kubelet.service.d/40-port.conf':
          '[Service]\nEnvironment=PORT=10255\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS --read-only-port=${PORT}\n',
      },
    });
    const result = plan(facts, '4.2.4');
    expect(result.kind === 'not-fixable' && result.reasons[0]).toContain('is built from ${PORT}');
  });

  it('does not add a config file to a kubelet that runs without --config', () => {
    const facts = kubeletNode({
      files: { '/usr/lib/systemd/system/kubelet.service': '[Service]\nExecStart=/usr/bin/kubelet --kubeconfig=/etc/kubernetes/kubelet.conf\n' },
    });
    const result = plan(facts, '4.2.1');
    expect(result).toMatchObject({ kind: 'not-fixable', current: { value: true, source: { kind: 'default', basis: 'command-line' } } });
    expect(result.kind === 'not-fixable' && result.reasons[0]).toContain('runs without --config');
  });

  it('needs the file a path setting names to exist', () => {
    const facts = kubeletNode({
      files: { ...kubeadmFiles('lab-stock'), [CONFIG]: 'kind: KubeletConfiguration\n' },
      absent: ['/var/lib/kubelet/pki/kubelet.crt'],
    });
    const result = plan(facts, '4.2.9', 0);
    expect(result.kind === 'not-fixable' && result.reasons[0]).toContain('/var/lib/kubelet/pki/kubelet.crt does not exist on this node');
  });

  it('asks for a parameter without a default', () => {
    const { podPidsLimit: _unset, ...withoutLimit } = parameters;
    expect(plan(labFacts('lab-stock'), '4.2.13', 0, withoutLimit)).toMatchObject({ kind: 'needs-parameter', parameter: 'podPidsLimit' });
  });
});

describe('planKubeletSettingFixes', () => {
  const layouts: [string, () => NodeFacts][] = [
    ['stock lab node', () => labFacts('lab-stock')],
    ['drifted lab node', () => labFacts('lab-drifted')],
    ['RHEL layout', () => rhelNode()],
    ['ExecStart= reset drop-in', () => execStartResetNode()],
    ['non-default --config with a stale copy', () => customConfigPathNode('stale-copy')],
    ['commented config.yaml', () => commentedConfigNode()],
  ];

  it.each(layouts)('is idempotent on the %s: after the edits and one restart nothing is left to fix', (_name, build) => {
    const facts = build();
    const variables = resolveAllVariables(benchmark, facts);
    const first = planKubeletSettingFixes(facts, allSteps(), parameters, variables);
    const second = planKubeletSettingFixes(first.factsAfter, allSteps(), parameters, resolveAllVariables(benchmark, first.factsAfter));
    expect(second.edits).toEqual([]);
    for (const [i, { key, fix }] of first.steps.entries()) {
      const again = second.steps[i]?.fix.kind;
      expect([key, fix.kind === 'fix' ? again : fix.kind]).toEqual([key, fix.kind === 'fix' ? 'compliant' : again]);
    }
  });

  it.each(layouts)('leaves kube-bench passing every 4.2 control whose steps it fixed, on the %s', (_name, build) => {
    const facts = build();
    const node = planKubeletSettingFixes(facts, allSteps(), parameters, resolveAllVariables(benchmark, facts));
    const fixedControls = new Set(node.steps.filter((s) => s.fix.kind === 'fix').map((s) => s.key.split('#')[0] as string));
    for (const id of fixedControls) {
      const done = node.steps.filter((s) => s.key.startsWith(`${id}#`)).every((s) => s.fix.kind === 'fix' || s.fix.kind === 'compliant');
      if (done) expect([id, verdict(id, node.factsAfter)]).toEqual([id, 'PASS']);
    }
  });

  it('merges every change to one file into one edit from the gathered text to the final text', () => {
    const facts = execStartResetNode();
    const node = planKubeletSettingFixes(facts, allSteps(), parameters, resolveAllVariables(benchmark, facts));
    const dropIn = node.edits.find((e) => e.path === RESET_DROP_IN);
    expect(dropIn?.before).toBe(textOf(facts, RESET_DROP_IN));
    // Both literal flags go, and with them the continuation that introduced them.
    expect(dropIn?.after).toBe(
      '# Local override: keeps the read-only port for the metrics agent.\n[Service]\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n',
    );
    expect(dropIn?.stepKeys).toEqual(['4.2.4#0', '4.2.6#0']);
    expect(node.daemonReload).toBe(true);
    const config = node.edits.find((e) => e.path === CONFIG);
    expect(config?.before).toBe(textOf(facts, CONFIG));
    expect(node.edits.every((e) => e.before !== e.after)).toBe(true);
  });
});

describe('planKubeletSettingFix properties', () => {
  it('removes exactly the offending flags from /etc/sysconfig/kubelet, keeps the other flags in order and every other line, and is then done', () => {
    const flag = fc.constantFrom(
      '--node-labels=tier=batch',
      '--v=2',
      '--read-only-port=10255',
      '--max-pods=50',
      '--read-only-port=10250',
      '--image-gc-high-threshold=90',
    );
    const otherLine = fc.constantFrom('# managed by bootstrap', 'OTHER="--x"', '');
    fc.assert(
      fc.property(
        fc.array(flag, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('"', "'", ''),
        fc.array(otherLine, { maxLength: 2 }),
        fc.array(otherLine, { maxLength: 2 }),
        (flags, quote, before, after) => {
          const sysconfig = [...before, `KUBELET_EXTRA_ARGS=${quote}${flags.join(' ')}${quote}`, ...after, ''].join('\n');
          const facts = rhelNode(sysconfig);
          const result = plan(facts, '4.2.4');
          if (!flags.some((f) => f.startsWith('--read-only-port='))) {
            expect(result.kind).toBe('compliant');
            return;
          }
          const fix = fixOf(result);
          expect(fix.edits.map((e) => e.path)).toEqual([SYSCONFIG_KUBELET]);
          const text = fix.edits[0]?.after ?? '';
          const value = parseEnvironmentFile(text).find((a) => a.name === 'KUBELET_EXTRA_ARGS')?.value ?? { text: '', offsets: [] };
          expect(splitWords(value, 'variable').map((w) => w.text)).toEqual(flags.filter((f) => !f.startsWith('--read-only-port=')));
          const lines = text.split('\n');
          expect(lines.slice(0, before.length)).toEqual(before);
          expect(lines.slice(before.length + 1)).toEqual([...after, '']);
          expect(plan(applied(facts, fix), '4.2.4').kind).toBe('compliant');
        },
      ),
      runs(60),
    );
  });
});
