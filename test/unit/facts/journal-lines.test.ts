/**
 * k3s's journal as the gathering script keeps it (journal-lines.ts): the
 * awk program run on real journalctl-shaped text by the system's awk, the
 * parser, the redaction, and the embedded components taken from it.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import {
  embeddedComponents,
  JOURNAL_REDACTION_MARK,
  journalArgs,
  journalAwkProgram,
  journalComponentOf,
  journalLine,
  MAX_JOURNAL_LINE,
  parseJournalSections,
  redactJournalLine,
} from '../../../src/facts/journal-lines.js';
import type { Section } from '../../../src/facts/parse-sections.js';

const line = (pid: number, msg: string) => `Dec 04 14:00:00 cp-1 k3s[${pid}]: time="2026-12-04T14:00:00Z" level=info msg="${msg}"`;

function runAwk(input: string): Buffer {
  const result = spawnSync('awk', [journalAwkProgram()], { input });
  if (result.status !== 0) throw new Error(result.stderr.toString());
  return result.stdout;
}

function section(units: string, payload: Buffer): Section {
  return { name: 'journal', args: [units], payload };
}

describe('the journal awk program', () => {
  it('keeps only the last "Running <component>" line of each component', () => {
    const text = [
      line(1, 'Starting k3s v1.33.4+k3s1'),
      line(1, 'Running kube-apiserver --anonymous-auth=true --profiling=true'),
      line(1, 'Running kubelet --read-only-port=10255'),
      line(2, 'Running kube-apiserver --anonymous-auth=false --profiling=false'),
      line(2, 'Running cloud-controller-manager --profiling=false'),
    ].join('\n');
    const [facts] = parseJournalSections([section('k3s', runAwk(`${text}\n`))]) ?? [];
    expect(facts?.units).toEqual(['k3s']);
    expect(facts?.lines['kube-apiserver']?.text).toBe(line(2, 'Running kube-apiserver --anonymous-auth=false --profiling=false'));
    expect(facts?.lines.kubelet?.text).toContain('--read-only-port=10255');
    expect(Object.keys(facts?.lines ?? {}).sort()).toEqual(['kube-apiserver', 'kubelet']);
  });

  it('withholds credential values that are not paths, booleans or numbers, on the node and again in the parser', () => {
    const text = line(1, 'Running kube-apiserver --oidc-client-secret=hunter2 --token-auth-file=/etc/k3s/tokens.csv --use-service-account-credentials=true');
    const [facts] = parseJournalSections([section('k3s', runAwk(`${text}\n`))]) ?? [];
    const kept = facts?.lines['kube-apiserver']?.text ?? '';
    expect(kept).not.toContain('hunter2');
    expect(kept).toContain(`--oidc-client-secret=${JOURNAL_REDACTION_MARK}`);
    expect(kept).toContain('--token-auth-file=/etc/k3s/tokens.csv');
    expect(kept).toContain('--use-service-account-credentials=true');
    expect(redactJournalLine(text)).toBe(kept);
    expect(redactJournalLine(kept)).toBe(kept);
  });

  it('cuts a line longer than the limit and says so', () => {
    const long = line(1, `Running kube-apiserver --x=${'a'.repeat(MAX_JOURNAL_LINE)}`);
    const [facts] = parseJournalSections([section('k3s', runAwk(`${long}\n`))]) ?? [];
    expect(facts?.lines['kube-apiserver']?.truncated).toBe(true);
    expect(facts?.lines['kube-apiserver']?.text.length).toBe(MAX_JOURNAL_LINE);
  });
});

describe('journal facts', () => {
  const journals = parseJournalSections([
    section('k3s', runAwk(`${line(5, 'Running kube-apiserver --anonymous-auth=false --authorization-mode=Node,RBAC')}\n`)),
    section(
      'k3s+k3s-agent',
      runAwk(`${line(5, 'Running kube-apiserver --anonymous-auth=false --authorization-mode=Node,RBAC')}\n${line(5, 'Running kubelet --read-only-port=0')}\n`),
    ),
  ]);

  it('is undefined when the node sent no journal (not k3s, or no journalctl)', () => {
    expect(parseJournalSections([])).toBeUndefined();
    expect(journalLine(undefined, ['k3s'], 'kube-apiserver')).toBeUndefined();
  });

  it('answers per unit set, as kube-bench queries it', () => {
    expect(journalLine(journals, ['k3s'], 'kubelet')).toEqual({ line: undefined });
    expect(journalLine(journals, ['k3s', 'k3s-agent'], 'kubelet')?.line?.text).toContain('--read-only-port=0');
  });

  it('reads the logged arguments, and makes each component without a process of its own an embedded one', () => {
    expect(journalArgs(line(1, 'Running kube-scheduler --bind-address=127.0.0.1 --profiling=false'), 'kube-scheduler')).toEqual([
      '--bind-address=127.0.0.1',
      '--profiling=false',
    ]);
    expect(journalComponentOf('Running kube-controller-manager')).toBe('kube-controller-manager');
    expect(journalComponentOf('Running etcd')).toBeUndefined();
    const embedded = embeddedComponents(journals, { kubelet: {} });
    expect(Object.keys(embedded)).toEqual(['kube-apiserver']);
    expect(embedded['kube-apiserver']).toEqual({
      pid: 0,
      comm: 'k3s',
      component: 'kube-apiserver',
      argv: ['kube-apiserver', '--anonymous-auth=false', '--authorization-mode=Node,RBAC'],
      environment: {},
    });
  });
});
