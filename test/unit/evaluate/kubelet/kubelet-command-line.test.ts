/**
 * Rebuilding the kubelet's command line from its unit, drop-ins and
 * environment files with systemd's rules, and checking it against the
 * running process.
 */

import { describe, expect, it } from '@jest/globals';
import { reconstructKubeletCommandLine, type CommandLineWord } from '../../../../src/evaluate/kubelet/kubelet-command-line.js';
import { kubeletArgv } from '../../../../src/evaluate/kubelet/running-argv.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFacts } from '../../../../src/facts/parse-facts.js';
import { FIXTURES, kubeletNode, labFacts, withFiles } from './support/kubelet-node.js';
import { DEFAULT_KUBELET, FLAGS_ENV, KUBEADM_DROP_IN, RESET_DROP_IN, UNIT, execStartResetNode, kubeadmFiles, rhelNode, stockNode } from './support/layouts.js';

function described(words: readonly CommandLineWord[] | undefined): string[] {
  return (words ?? []).map((w) => {
    const o = w.origin;
    if (o.kind === 'variable') return `${w.text} <- $${o.variable} ${o.site.file}:${o.site.line}`;
    if (o.kind === 'exec-start') return `${w.text} <- ExecStart ${o.site.file}:${o.site.line}`;
    return `${w.text} <- embedded`;
  });
}

describe('reconstructKubeletCommandLine', () => {
  it("rebuilds the recorded drifted lab node exactly as the kubelet runs, naming each word's file and line", () => {
    const facts = labFacts('lab-drifted');
    const commandLine = reconstructKubeletCommandLine(facts);
    expect(described(commandLine.words)).toEqual([
      `/usr/bin/kubelet <- ExecStart ${KUBEADM_DROP_IN}:11`,
      `--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf <- $KUBELET_KUBECONFIG_ARGS ${KUBEADM_DROP_IN}:3`,
      `--kubeconfig=/etc/kubernetes/kubelet.conf <- $KUBELET_KUBECONFIG_ARGS ${KUBEADM_DROP_IN}:3`,
      `--config=/var/lib/kubelet/config.yaml <- $KUBELET_CONFIG_ARGS ${KUBEADM_DROP_IN}:4`,
      `--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock <- $KUBELET_KUBEADM_ARGS ${FLAGS_ENV}:1`,
      `--pod-infra-container-image=registry.k8s.io/pause:3.10 <- $KUBELET_KUBEADM_ARGS ${FLAGS_ENV}:1`,
      `--authorization-mode=AlwaysAllow <- $KUBELET_KUBEADM_ARGS ${FLAGS_ENV}:1`,
    ]);
    expect(commandLine.words?.map((w) => w.text)).toEqual(facts.components.kubelet?.argv);
    expect(commandLine.execStart).toEqual({ file: KUBEADM_DROP_IN, line: 11 });
    expect(commandLine.files).toEqual([UNIT, KUBEADM_DROP_IN, FLAGS_ENV, DEFAULT_KUBELET]);
    expect(commandLine.problems).toEqual([]);
  });

  it('takes KUBELET_EXTRA_ARGS from /etc/sysconfig/kubelet on the RPM layout', () => {
    const words = reconstructKubeletCommandLine(rhelNode()).words ?? [];
    expect(described(words).slice(-4)).toEqual([
      '--node-labels=tier=batch <- $KUBELET_EXTRA_ARGS /etc/sysconfig/kubelet:2',
      '--read-only-port=10255 <- $KUBELET_EXTRA_ARGS /etc/sysconfig/kubelet:2',
      '--anonymous-auth=true <- $KUBELET_EXTRA_ARGS /etc/sysconfig/kubelet:2',
      '--hostname-override=worker-7.internal <- $KUBELET_EXTRA_ARGS /etc/sysconfig/kubelet:2',
    ]);
  });

  it('lets a later drop-in reset ExecStart= and attributes its literal flags to that drop-in, across a continued line', () => {
    const words = reconstructKubeletCommandLine(execStartResetNode()).words ?? [];
    expect(described(words).slice(-2)).toEqual([
      `--read-only-port=10255 <- ExecStart ${RESET_DROP_IN}:5`,
      `--make-iptables-util-chains=false <- ExecStart ${RESET_DROP_IN}:5`,
    ]);
  });

  it('lets EnvironmentFile= override Environment= whatever their order, and reads $VAR split but ${VAR} whole', () => {
    const facts = kubeletNode({
      files: {
        [UNIT]:
          '[Service]\nEnvironmentFile=/etc/kubelet.env\nEnvironment="A=--from-unit" "B=--b1 --b2"\nExecStart=/usr/bin/kubelet $A ${B} $UNSET ${UNSET} --x=$$HOME --y=${A}\n',
        '/etc/kubelet.env': 'A=--from-file\n',
      },
    });
    expect(reconstructKubeletCommandLine(facts).words?.map((w) => [w.text, w.origin.kind])).toEqual([
      ['/usr/bin/kubelet', 'exec-start'],
      ['--from-file', 'variable'],
      ['--b1 --b2', 'variable'],
      ['', 'embedded'],
      ['--x=$HOME', 'exec-start'],
      ['--y=--from-file', 'embedded'],
    ]);
  });

  it('forgets Environment= assignments after an empty Environment= and environment files after an empty EnvironmentFile=', () => {
    const facts = kubeletNode({
      files: {
        [UNIT]: '[Service]\nEnvironment=A=--a\nEnvironmentFile=/etc/one.env\nExecStart=/usr/bin/kubelet $A $B\n',
        '/etc/systemd/system/kubelet.service.d/50-reset.conf': '[Service]\nEnvironment=\nEnvironmentFile=\n',
        '/etc/one.env': 'B=--b\n',
      },
    });
    expect(reconstructKubeletCommandLine(facts).words?.map((w) => w.text)).toEqual(['/usr/bin/kubelet']);
  });

  it('reports two ExecStart= lines in effect, a required environment file that is missing, and an unreadable drop-in', () => {
    const twice = kubeletNode({
      files: { [UNIT]: '[Service]\nExecStart=/usr/bin/kubelet\n', [KUBEADM_DROP_IN]: '[Service]\nExecStart=/usr/bin/kubelet --x\n' },
      argv: ['/usr/bin/kubelet'],
    });
    expect(reconstructKubeletCommandLine(twice).problems.map((p) => [p.kind, p.blocking])).toEqual([['multiple-exec-start', true]]);

    const missing = kubeletNode({ files: { [UNIT]: '[Service]\nEnvironmentFile=/etc/kubelet.env\nExecStart=/usr/bin/kubelet\n' } });
    expect(reconstructKubeletCommandLine(missing).problems.map((p) => p.kind)).toEqual(['missing-environment-file']);

    const withheld = kubeletNode({
      files: { [UNIT]: '[Service]\nExecStart=/usr/bin/kubelet\n', [KUBEADM_DROP_IN]: { content: { kind: 'withheld', reason: 'too-large' } } },
      argv: ['/usr/bin/kubelet'],
    });
    const result = reconstructKubeletCommandLine(withheld);
    expect(result.words).toBeUndefined();
    expect(result.problems.map((p) => p.kind)).toEqual(['unreadable']);
  });

  it('strips ExecStart prefixes, and with @ takes the second word as argv[0]', () => {
    const facts = kubeletNode({ files: { [UNIT]: '[Service]\nExecStart=-@/usr/bin/kubelet kubelet --v=2\n' } });
    expect(reconstructKubeletCommandLine(facts).words?.map((w) => w.text)).toEqual(['kubelet', '--v=2']);
  });
});

describe('kubeletArgv', () => {
  it('reports a unit changed after the kubelet started instead of guessing where a flag comes from', () => {
    const running = stockNode().components.kubelet?.argv ?? [];
    // kubeadm-flags.env now carries a flag the running kubelet did not start with.
    const facts = withFiles(stockNode(), {
      [FLAGS_ENV]:
        'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10 --read-only-port=10255"\n',
    });
    expect(facts.components.kubelet?.argv).toEqual(running);
    const view = kubeletArgv(facts, reconstructKubeletCommandLine(facts));
    expect(view.attributable).toBe(false);
    expect(view.problems).toHaveLength(1);
    expect(view.problems[0]).toMatchObject({ kind: 'argv-mismatch', blocking: true });
    expect(view.problems[0]?.message).toContain('only in the unit: --read-only-port=10255');
  });

  it("uses the unit's command line when no kubelet runs, and says so", () => {
    const facts = kubeletNode({ files: kubeadmFiles('lab-stock'), argv: null });
    const view = kubeletArgv(facts, reconstructKubeletCommandLine(facts));
    expect(view).toMatchObject({ from: 'unit', attributable: true });
    expect(view.problems.map((p) => [p.kind, p.blocking])).toEqual([['kubelet-not-running', false]]);
  });

  it('flags the recorded RHEL worker, whose unit does not pass the flags its kubelet runs with', () => {
    // Recorded by test/unit/facts/fixtures/record-fixtures.ts: ExecStart=/usr/bin/kubelet alone, yet the kubelet runs with --config and --hostname-override.
    const facts = parseFacts('worker-7', readFileSync(join(FIXTURES, '..', '..', '..', 'facts', 'fixtures', 'rhel-worker.out')));
    const view = kubeletArgv(facts, reconstructKubeletCommandLine(facts));
    expect(view.attributable).toBe(false);
    expect(view.problems[0]?.message).toContain(
      'only running: --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --hostname-override=worker-7',
    );
  });
});
