/**
 * effectiveKubeletSetting: the value the kubelet really uses, and where it
 * comes from (flag over --config file over default), on real and tricky
 * layouts.
 */

import { describe, expect, it } from '@jest/globals';
import { effectiveKubeletSetting, kubeletView } from '../../../../src/evaluate/kubelet-setting.js';
import { judgeKubeletSetting } from '../../../../src/evaluate/kubelet/judge-setting.js';
import type { Requirement } from '../../../../src/playbook/types.js';
import { kubeletNode, labFacts } from './support/kubelet-node.js';
import {
  CONFIG,
  CUSTOM_CONFIG,
  FLAGS_ENV,
  RESET_DROP_IN,
  SYSCONFIG_KUBELET,
  UNIT,
  commentedConfigNode,
  customConfigPathNode,
  execStartResetNode,
  kubeadmFiles,
  rhelNode,
  stockNode,
} from './support/layouts.js';

const anonymous = { configKey: 'authentication.anonymous.enabled', flag: '--anonymous-auth' };
const authorization = { configKey: 'authorization.mode', flag: '--authorization-mode' };
const readOnlyPort = { configKey: 'readOnlyPort', flag: '--read-only-port' };

describe('effectiveKubeletSetting', () => {
  it('reads a setting from config.yaml on the recorded stock lab node, with its line', () => {
    expect(effectiveKubeletSetting(labFacts('lab-stock'), anonymous)).toMatchObject({
      value: false,
      source: { kind: 'config', file: CONFIG, key: 'authentication.anonymous.enabled', line: 4 },
      problems: [],
      configPath: CONFIG,
      argvFrom: 'running',
    });
  });

  it('finds the flag in kubeadm-flags.env that overrides config.yaml on the recorded drifted lab node', () => {
    const setting = effectiveKubeletSetting(labFacts('lab-drifted'), authorization);
    expect(setting.value).toBe('AlwaysAllow');
    expect(setting.source).toEqual({ kind: 'flag', flag: '--authorization-mode', file: FLAGS_ENV, variable: 'KUBELET_KUBEADM_ARGS', line: 1, occurrences: 1 });
  });

  it('falls back to the KubeletConfiguration defaults for keys absent from --config', () => {
    expect(effectiveKubeletSetting(labFacts('lab-stock'), readOnlyPort)).toMatchObject({ value: 0, source: { kind: 'default', basis: 'config-file' } });
    expect(effectiveKubeletSetting(labFacts('lab-stock'), { configKey: 'rotateCertificates', flag: '--rotate-certificates' }).value).toBe(true);
    expect(effectiveKubeletSetting(labFacts('lab-stock'), { configKey: 'seccompDefault', flag: '--seccomp-default' })).toMatchObject({
      value: false,
      source: { kind: 'default' },
    });
  });

  it('uses the weaker command-line defaults when the kubelet runs without --config', () => {
    const facts = kubeletNode({ files: { [UNIT]: '[Service]\nExecStart=/usr/bin/kubelet --kubeconfig=/etc/kubernetes/kubelet.conf\n' } });
    const setting = effectiveKubeletSetting(facts, anonymous);
    expect(setting).toMatchObject({ value: true, source: { kind: 'default', basis: 'command-line' }, configPath: undefined });
    expect(setting.problems.map((p) => [p.kind, p.blocking])).toEqual([['no-config-file', false]]);
    expect(effectiveKubeletSetting(facts, readOnlyPort).value).toBe(10255);
    expect(effectiveKubeletSetting(facts, authorization).value).toBe('AlwaysAllow');
  });

  it("reads the config file at the kubelet's real --config, not kube-bench's candidate", () => {
    const setting = effectiveKubeletSetting(customConfigPathNode('stale-copy'), anonymous);
    expect(setting.configPath).toBe(CUSTOM_CONFIG);
    expect(setting.source).toMatchObject({ kind: 'config', file: CUSTOM_CONFIG });
    expect(setting.value).toBe(true);
  });

  it('attributes RHEL-style flags to KUBELET_EXTRA_ARGS in /etc/sysconfig/kubelet', () => {
    expect(effectiveKubeletSetting(rhelNode(), readOnlyPort)).toMatchObject({
      value: 10255,
      source: { kind: 'flag', file: SYSCONFIG_KUBELET, variable: 'KUBELET_EXTRA_ARGS', line: 2 },
    });
    expect(effectiveKubeletSetting(rhelNode(), { configKey: undefined, flag: '--hostname-override' })).toMatchObject({
      value: 'worker-7.internal',
      source: { kind: 'flag' },
    });
  });

  it('attributes a literal flag to the drop-in whose ExecStart= replaced the kubeadm one', () => {
    expect(effectiveKubeletSetting(execStartResetNode(), { configKey: 'makeIPTablesUtilChains', flag: '--make-iptables-util-chains' })).toMatchObject({
      value: false,
      source: { kind: 'flag', file: RESET_DROP_IN, variable: null, line: 5 },
    });
  });

  it('parses flags as the kubelet does: Go booleans, a bare boolean flag, and the last occurrence winning', () => {
    const node = (flags: string) => kubeletNode({ files: { ...kubeadmFiles('lab-stock'), [FLAGS_ENV]: `KUBELET_KUBEADM_ARGS="${flags}"\n` } });
    expect(effectiveKubeletSetting(node('--anonymous-auth=0'), anonymous).value).toBe(false);
    expect(effectiveKubeletSetting(node('--anonymous-auth'), anonymous).value).toBe(true);
    const twice = effectiveKubeletSetting(node('--read-only-port=0 --read-only-port=10255'), readOnlyPort);
    expect(twice).toMatchObject({ value: 10255, source: { kind: 'flag', occurrences: 2 } });
  });

  it('takes a feature gate from --feature-gates over featureGates in the config file', () => {
    const facts = kubeletNode({
      files: { ...kubeadmFiles('lab-stock'), [FLAGS_ENV]: 'KUBELET_KUBEADM_ARGS="--feature-gates=A=true,RotateKubeletServerCertificate=false"\n' },
    });
    expect(effectiveKubeletSetting(facts, { configKey: 'featureGates.RotateKubeletServerCertificate', flag: undefined })).toMatchObject({
      value: false,
      source: { kind: 'flag', flag: '--feature-gates', file: FLAGS_ENV },
    });
    expect(effectiveKubeletSetting(labFacts('lab-stock'), { configKey: 'featureGates.RotateKubeletServerCertificate', flag: undefined })).toMatchObject({
      value: true,
      source: { kind: 'default' },
    });
  });

  it('knows that a zero streamingConnectionIdleTimeout in the config file means the 4h default, but a zero flag does not', () => {
    const step = { configKey: 'streamingConnectionIdleTimeout', flag: '--streaming-connection-idle-timeout' };
    const fromConfig = effectiveKubeletSetting(labFacts('lab-stock'), step);
    expect(fromConfig).toMatchObject({ value: '4h0m0s', source: { kind: 'config', key: 'streamingConnectionIdleTimeout' } });
    expect(fromConfig.notes[0]).toContain('0s in /var/lib/kubelet/config.yaml means the default 4h0m0s');
    const flagged = kubeletNode({ files: { ...kubeadmFiles('lab-stock'), [FLAGS_ENV]: 'KUBELET_KUBEADM_ARGS="--streaming-connection-idle-timeout=0"\n' } });
    expect(effectiveKubeletSetting(flagged, step).value).toBe('0');
  });

  it('notes a flag set where the kubelet never reads it', () => {
    const facts = stockNode({ [SYSCONFIG_KUBELET]: 'KUBELET_EXTRA_ARGS="--anonymous-auth=true"\n' });
    const setting = effectiveKubeletSetting(facts, anonymous);
    expect(setting.value).toBe(false);
    expect(setting.problems).toEqual([expect.objectContaining({ kind: 'dormant-flag', blocking: false, file: SYSCONFIG_KUBELET })]);
  });

  it('cannot say where a value comes from when the unit no longer matches the running kubelet', () => {
    const facts = stockNode({}, [...(labFacts('lab-drifted').components.kubelet?.argv ?? [])]);
    const setting = effectiveKubeletSetting(facts, authorization);
    expect(setting.value).toBe('AlwaysAllow');
    expect(setting.source).toEqual({ kind: 'flag', flag: '--authorization-mode', file: null, variable: null, line: null, occurrences: 1 });
    expect(setting.problems.map((p) => p.kind)).toEqual(['argv-mismatch']);
  });

  it('reports an unknown value when the --config file cannot be read', () => {
    const facts = stockNode({ [CONFIG]: { content: { kind: 'withheld', reason: 'too-large' } } });
    const setting = effectiveKubeletSetting(facts, anonymous);
    expect(setting).toMatchObject({ value: null, source: { kind: 'unknown' } });
    expect(setting.problems.map((p) => [p.kind, p.blocking])).toEqual([['config-unreadable', true]]);
  });

  it('reads YAML 1.1 booleans and quoted strings in a commented config', () => {
    expect(effectiveKubeletSetting(commentedConfigNode(), anonymous)).toMatchObject({ value: true, source: { kind: 'config', line: 8 } });
    expect(effectiveKubeletSetting(commentedConfigNode(), { configKey: 'authentication.x509.clientCAFile', flag: '--client-ca-file' }).value).toBe(
      '/etc/kubernetes/pki/ca.crt',
    );
  });
});

describe('judgeKubeletSetting', () => {
  const judge = (
    facts: Parameters<typeof effectiveKubeletSetting>[0],
    step: { configKey: string | undefined; flag: string | undefined },
    requirement: Requirement,
    parameters = {},
  ) => judgeKubeletSetting(effectiveKubeletSetting(facts, step), requirement, parameters);

  it('needs an explicit setting unless allowAbsent, and then only a compliant default passes', () => {
    const stock = labFacts('lab-stock');
    expect(judge(stock, anonymous, { op: 'equals', value: false, allowAbsent: false }).compliant).toBe(true);
    expect(judge(stock, readOnlyPort, { op: 'equals', value: 0, allowAbsent: false }).compliant).toBe(false);
    expect(judge(stock, readOnlyPort, { op: 'equals', value: 0, allowAbsent: true }).compliant).toBe(true);
    const unset = kubeletNode({ files: { ...kubeadmFiles('lab-stock'), [CONFIG]: 'kind: KubeletConfiguration\n' } });
    // rotateCertificates defaults to false: unset is not compliant even with allowAbsent (kube-bench passes it).
    expect(judge(unset, { configKey: 'rotateCertificates', flag: '--rotate-certificates' }, { op: 'equals', value: true, allowAbsent: true }).compliant).toBe(
      false,
    );
  });

  it('lets an unset setting pass whatever its default with absentAnyDefault (allowAbsent: always), but never a value set otherwise', () => {
    const rotate = { configKey: 'rotateCertificates', flag: '--rotate-certificates' };
    const always = { op: 'equals', value: true, allowAbsent: true, absentAnyDefault: true } as const;
    const unset = kubeletNode({ files: { ...kubeadmFiles('lab-stock'), [CONFIG]: 'kind: KubeletConfiguration\n' } });
    expect(judge(unset, rotate, always).compliant).toBe(true);
    const setFalse = kubeletNode({ files: { ...kubeadmFiles('lab-stock'), [CONFIG]: 'kind: KubeletConfiguration\nrotateCertificates: false\n' } });
    expect(judge(setFalse, rotate, always).compliant).toBe(false);
  });

  it('compares durations by length and lists by element', () => {
    const stock = labFacts('lab-stock');
    const step = { configKey: 'streamingConnectionIdleTimeout', flag: '--streaming-connection-idle-timeout' };
    expect(judge(stock, step, { op: 'not-equals', values: ['0', '0s'], fixValue: '4h0m0s', allowAbsent: true }).compliant).toBe(true);
    const ciphers = kubeletNode({ files: { ...kubeadmFiles('lab-stock'), [FLAGS_ENV]: 'KUBELET_KUBEADM_ARGS="--tls-cipher-suites=A,B"\n' } });
    const cipherStep = { configKey: 'tlsCipherSuites', flag: '--tls-cipher-suites' };
    expect(judge(ciphers, cipherStep, { op: 'elements-within', allowed: ['A', 'B', 'C'] }).compliant).toBe(true);
    expect(judge(ciphers, cipherStep, { op: 'elements-within', allowed: ['A'] }).compliant).toBe(false);
    expect(judge(ciphers, cipherStep, { op: 'elements-within', allowed: { param: 'suites' } })).toMatchObject({ compliant: false, needsParameter: 'suites' });
  });

  it('is never compliant when the value cannot be known', () => {
    const facts = stockNode({ [CONFIG]: { content: { kind: 'withheld', reason: 'too-large' } } });
    expect(judge(facts, anonymous, { op: 'absent' })).toMatchObject({ compliant: false, undetermined: true });
  });
});

describe('kubeletView', () => {
  it('is derived once per facts object and again for new facts (a simulated edit)', () => {
    const facts = labFacts('lab-drifted');
    expect(kubeletView(facts)).toBe(kubeletView(facts));
    const copy = { ...facts };
    expect(kubeletView(copy)).not.toBe(kubeletView(facts));
    expect(kubeletView(copy)).toEqual(kubeletView(facts));
  });
});
