/**
 * The kubelet flag set where it stands (placement `command-line`, for a node
 * where kube-bench sees the kubelet's settings on its command line only):
 * a flag's value is rewritten in place, quoting and every other byte kept;
 * a missing flag is appended to the variable that holds the flags, inside
 * its quotes; the --config file is kept from saying otherwise; a second plan
 * on the result finds nothing to do.
 */

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { NodeFacts } from '../../../../src/facts/types.js';
import { planKubeletSettingFix, type KubeletStepInput } from '../../../../src/plan/edits/kubelet-setting-fix.js';
import { factsAfterKubeletEdits } from '../../../../src/plan/edits/kubelet-simulate.js';
import { rewriteFlagValue } from '../../../../src/plan/edits/kubelet-flag-in-place.js';
import type { Requirement } from '../../../../src/playbook/types.js';
import { kubeletNode } from '../../evaluate/kubelet/support/kubelet-node.js';
import { runs } from '../../support/property-runs.js';

const UNIT = '/etc/systemd/system/kubelet.service';
const ENV = '/etc/default/kubelet';
const CONFIG = '/var/lib/kubelet/config.yaml';

const unit = (execStartFlags = '') =>
  `[Service]\nEnvironmentFile=${ENV}\nExecStart=/usr/bin/kubelet --config=${CONFIG}${execStartFlags} $KUBELET_FLAGS $KUBELET_OTHER\n`;
const CONFIG_TEXT = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255 # opened for the old monitoring\n';

function node(env: string, execStartFlags = '', config = CONFIG_TEXT): NodeFacts {
  return kubeletNode({ files: { [UNIT]: unit(execStartFlags), [ENV]: env, [CONFIG]: config } });
}

const step = (configKey: string | undefined, flag: string | undefined, requirement: Requirement): KubeletStepInput => ({
  configKey,
  flag,
  requirement,
  fileMustExist: false,
  when: undefined,
  placement: 'command-line',
});
const READ_ONLY_PORT = step('readOnlyPort', '--read-only-port', { op: 'equals', value: 0, allowAbsent: false });
const ANONYMOUS = step('authentication.anonymous.enabled', '--anonymous-auth', { op: 'equals', value: false, allowAbsent: false });
const ROTATE = step('rotateCertificates', '--rotate-certificates', { op: 'equals', value: true, allowAbsent: true });
const GATE = step('featureGates.RotateKubeletServerCertificate', undefined, { op: 'equals', value: true, allowAbsent: false });

function fix(facts: NodeFacts, s: KubeletStepInput) {
  const planned = planKubeletSettingFix(facts, s, {});
  if (planned.kind !== 'fix') throw new Error(`${planned.kind}: ${planned.kind === 'not-fixable' ? planned.reasons.join('; ') : ''}`);
  return {
    planned,
    after: new Map(planned.edits.map((e) => [e.path, e.after])),
    again: planKubeletSettingFix(factsAfterKubeletEdits(facts, new Map(planned.edits.map((e) => [e.path, e.after]))), s, {}),
  };
}

describe('a kubelet flag set where it stands on the command line', () => {
  it('rewrites only the value of a flag in a double-quoted variable; comments, spacing, continuation and the other assignments stay', () => {
    const env = '# Written by provisioning.\nKUBELET_FLAGS="--anonymous-auth=true  --read-only-port=10255 \\\n    --v=2"\nKUBELET_OTHER=--node-labels=a=b\n';
    const { planned, after, again } = fix(node(env), READ_ONLY_PORT);
    expect(after.get(ENV)).toBe(env.replace('--read-only-port=10255', '--read-only-port=0'));
    expect(planned.edits.find((e) => e.path === ENV)!.changes).toEqual([
      'change --read-only-port=10255 to --read-only-port=0 in KUBELET_FLAGS (/etc/default/kubelet:2)',
    ]);
    expect(planned.daemonReload).toBe(false);
    expect(again.kind).toBe('compliant');
  });

  it("keeps the --config file from saying otherwise: the key is set to the flag's value, its comment kept", () => {
    const { after } = fix(node('KUBELET_FLAGS=--read-only-port=10255\n'), READ_ONLY_PORT);
    expect(after.get(CONFIG)).toBe(CONFIG_TEXT.replace('readOnlyPort: 10255', 'readOnlyPort: 0'));
  });

  it('leaves the --config file alone when it does not name the setting', () => {
    const { after } = fix(node("KUBELET_FLAGS='--anonymous-auth=true --v=2'\n"), ANONYMOUS);
    expect([...after.keys()]).toEqual([ENV]);
    expect(after.get(ENV)).toBe("KUBELET_FLAGS='--anonymous-auth=false --v=2'\n");
  });

  it('rewrites every occurrence that does not comply (kube-bench reads the first, the kubelet the last)', () => {
    const env = 'KUBELET_FLAGS=--anonymous-auth=true --v=2 --anonymous-auth=false\nKUBELET_OTHER=--anonymous-auth=TRUE\n';
    const { after, again } = fix(node(env), ANONYMOUS);
    expect(after.get(ENV)).toBe('KUBELET_FLAGS=--anonymous-auth=false --v=2 --anonymous-auth=false\nKUBELET_OTHER=--anonymous-auth=false\n');
    expect(again.kind).toBe('compliant');
  });

  it('rewrites a quoted word on the ExecStart line inside its quotes, and asks for a daemon-reload', () => {
    const { planned, after } = fix(node('KUBELET_FLAGS=--v=2\n', ' "--anonymous-auth=true"'), ANONYMOUS);
    expect(after.get(UNIT)).toBe(unit(' "--anonymous-auth=false"'));
    expect(planned.daemonReload).toBe(true);
  });

  it('appends a missing flag to the variable that holds the most flags, inside its quotes and after its last word', () => {
    const env = 'KUBELET_OTHER="--node-labels=a=b"\nKUBELET_FLAGS="--v=2 \\\n  --anonymous-auth=false"\n# a comment line\n';
    const { planned, after, again } = fix(node(env), READ_ONLY_PORT);
    expect(after.get(ENV)).toBe(env.replace('--anonymous-auth=false"', '--anonymous-auth=false --read-only-port=0"'));
    expect(planned.edits.find((e) => e.path === ENV)!.changes).toEqual(['add --read-only-port=0 to KUBELET_FLAGS (/etc/default/kubelet:3)']);
    expect(again.kind).toBe('compliant');
  });

  it('leaves an unset setting alone when unset is allowed and what the kubelet then uses complies', () => {
    expect(planKubeletSettingFix(node('KUBELET_FLAGS=--v=2\n', '', `${CONFIG_TEXT}rotateCertificates: true\n`), ROTATE, {}).kind).toBe('compliant');
    // The config says false: the flag goes on the command line, and the config file says the same.
    const { after } = fix(node('KUBELET_FLAGS=--v=2\n', '', `${CONFIG_TEXT}rotateCertificates: false\n`), ROTATE);
    expect(after.get(ENV)).toBe('KUBELET_FLAGS=--v=2 --rotate-certificates=true\n');
    expect(after.get(CONFIG)).toBe(`${CONFIG_TEXT}rotateCertificates: true\n`);
  });

  it('sets a feature gate inside --feature-gates, keeping the other gates; adds it to an existing list that lacks it', () => {
    const drifted = fix(node('KUBELET_FLAGS=--feature-gates=A=true,RotateKubeletServerCertificate=false,B=false --v=2\n'), GATE);
    expect(drifted.after.get(ENV)).toBe('KUBELET_FLAGS=--feature-gates=A=true,RotateKubeletServerCertificate=true,B=false --v=2\n');
    expect(drifted.again.kind).toBe('compliant');
    const missing = fix(node('KUBELET_FLAGS=--feature-gates=A=true --v=2\n'), GATE);
    expect(missing.after.get(ENV)).toBe('KUBELET_FLAGS=--feature-gates=A=true,RotateKubeletServerCertificate=true --v=2\n');
  });

  it('refuses a word written with escapes, and a command line without a variable to append to', () => {
    const escaped = planKubeletSettingFix(node('KUBELET_FLAGS=--anonymous-auth=tr\\ue\n'), ANONYMOUS, {});
    expect(escaped).toMatchObject({ kind: 'not-fixable' });
    expect(escaped.kind === 'not-fixable' && escaped.reasons.join(' ')).toMatch(/quotes or escapes/);
    const nowhere = planKubeletSettingFix(node('KUBELET_FLAGS=\n'), READ_ONLY_PORT, {});
    expect(nowhere.kind === 'not-fixable' && nowhere.reasons.join(' ')).toMatch(/no environment file variable puts flags/);
  });

  it('keeps every other byte for any surrounding text, quoting style and spacing, and is idempotent (property)', () => {
    const filler = fc.constantFrom('', '# a comment\n', '\n', 'OTHER=x\n', '; old style comment\n', 'KUBELET_REGISTER_SCHEDULABLE=true\n');
    const quote = fc.constantFrom('', '"', "'");
    const gap = fc.constantFrom(' ', '  ', '\t');
    const value = fc.constantFrom('10255', '1', '08', '65535');
    fc.assert(
      fc.property(filler, filler, quote, gap, gap, value, fc.boolean(), (before, after, q, g1, g2, port, first) => {
        const words = first
          ? [`--read-only-port=${port}`, '--v=2', '--rotate-certificates=true']
          : ['--v=2', '--rotate-certificates=true', `--read-only-port=${port}`];
        const env = `${before}KUBELET_FLAGS=${q}${words[0]}${g1}${words[1]}${g2}${words[2]}${q}\n${after}`;
        const { after: edited, again } = fix(node(env, '', 'kind: KubeletConfiguration\n'), READ_ONLY_PORT);
        expect(edited.get(ENV)).toBe(env.replace(`--read-only-port=${port}`, '--read-only-port=0'));
        expect(again.kind).toBe('compliant');
      }),
      runs(60),
    );
  });

  it('refuses an occurrence it cannot attribute to a file', () => {
    const site = { occurrence: { index: 2, form: 'equals' as const, value: '10255' }, words: undefined };
    expect(rewriteFlagValue('--read-only-port', site, '0', () => '')).toMatchObject({ kind: 'blocked' });
  });
});
