import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRunJournal } from '../../../src/apply/journal-schema.js';
import { withRollbackStatus } from '../../../src/apply/journal.js';
import { apiRestorePlanFor, restorePlanFor } from '../../../src/apply/restore-plan.js';
import { UserError } from '../../../src/model/errors.js';
import type { RunJournal } from '../../../src/model/run-journal.js';

// Real journals written by the cis-fix before the typed journal (on the drifted lab):
// the new reader must read them, and plan the same restore from them.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const read = (name: string) => parseRunJournal(readFileSync(fixture(name), 'utf8'), fixture(name));
const before = JSON.parse(readFileSync(fixture('restore-plans-before-refactor.json'), 'utf8')) as Record<
  string,
  { items: Record<string, unknown>[]; apiItems: unknown[] }
>;
const JOURNALS = ['journal-apply-every-kind', 'journal-apply-restored', 'journal-apply-interrupted', 'journal-rollback', 'journal-rollback-interrupted'];

describe('the journal schema', () => {
  it.each(JOURNALS)('reads %s, written by the cis-fix of before the typed journal', (name) => {
    const journal = read(`${name}.json`);
    expect(journal.steps.length).toBeGreaterThan(0);
    expect(journal).toEqual(JSON.parse(readFileSync(fixture(`${name}.json`), 'utf8')));
  });

  it.each(Object.keys(before))('plans the same restore from %s as the code before the refactor', (name) => {
    const journal = read(`${name}.json`);
    const old = before[name]!;
    // The fields today's restore plan had; the new ones (kind, staging, own states) are checked below.
    const keys = ['node', 'target', 'original', 'result', 'restart', 'daemonReload', 'createdDirs'];
    const pick = (item: object) => Object.fromEntries(Object.entries(item).filter(([k, v]) => keys.includes(k) && v !== undefined));
    expect(restorePlanFor(journal).map(pick)).toEqual(old.items.map(pick));
    expect(apiRestorePlanFor(journal)).toEqual(old.apiItems);
  });

  it('derives each old step kind from its change id, and the temp file the old writer used', () => {
    const items = restorePlanFor(read('journal-apply-every-kind.json'));
    const apiserver = items.find((i) => i.target === '/etc/kubernetes/manifests/kube-apiserver.yaml')!;
    expect(apiserver).toMatchObject({
      kind: 'static-pod-manifest',
      restart: 'kube-apiserver',
      staging: ['/etc/kubernetes/manifests/.kube-apiserver.yaml.cis-fix-new'],
    });
    expect(items.find((i) => i.target === '/etc/kubernetes/audit/policy.yaml')).toMatchObject({ kind: 'support-file', original: { absent: true } });
    expect(new Set(items.map((i) => i.kind))).toEqual(new Set(['file-mode', 'file-owner', 'static-pod-manifest', 'kubelet-file', 'support-file']));
  });

  const valid = () =>
    JSON.parse(readFileSync(fixture('journal-apply-every-kind.json'), 'utf8')) as { steps: Record<string, unknown>[] } & Record<string, unknown>;
  const problem = (data: unknown) => {
    try {
      parseRunJournal(JSON.stringify(data), '/state/runs/x.json');
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('refuses an unknown field, naming the file and the JSON path', () => {
    const data = valid();
    data.steps[2]!['extra'] = 1;
    expect(problem(data)).toMatch(/\/state\/runs\/x\.json .*\n.*at \$\.steps\[2\]: .*extra/s);
  });

  it('refuses a missing or mistyped field, naming its path', () => {
    const data = valid();
    const backedUp = data.steps.findIndex((s) => s['phase'] === 'backed-up');
    (data.steps[backedUp]!['original'] as Record<string, unknown>)['uid'] = 'root';
    expect(problem(data)).toContain(`at $.steps[${backedUp}].original.uid`);
    const missing = valid();
    delete missing['inventory'];
    expect(problem(missing)).toContain('at $.inventory');
  });

  it('refuses an unknown phase, an unknown change kind and text that is not JSON', () => {
    const data = valid();
    data.steps[0]!['phase'] = 'exploded';
    expect(problem(data)).toMatch(/at \$\.steps\[0\]\.phase: unknown step phase/);
    const kind = valid();
    const started = kind.steps.findIndex((s) => s['phase'] === 'write-started');
    kind.steps[started]!['kind'] = 'evil-kind';
    expect(problem(kind)).toContain(`at $.steps[${started}].kind`);
    expect(() => parseRunJournal('{', '/x.json')).toThrow(UserError);
  });
});

describe('runs', () => {
  it('shows an apply that a rollback undid as rolled-back, never as running', () => {
    const apply = read('journal-apply-interrupted.json');
    const rollback = read('journal-rollback-interrupted.json');
    expect(apply.status).toBe('running');
    expect(rollback.rollsBack).toBe(apply.runId);
    const shown = withRollbackStatus([apply, rollback]);
    expect(shown.find((j) => j.runId === apply.runId)?.status).toBe('rolled-back');
    const failedRollback: RunJournal = { ...rollback, status: 'failed' };
    expect(withRollbackStatus([apply, failedRollback]).find((j) => j.runId === apply.runId)?.status).toBe('running');
  });
});
