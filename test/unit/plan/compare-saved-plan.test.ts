import type { Change } from '../../../src/model/change.js';
import { StalePlanError, UserError } from '../../../src/model/errors.js';
import { validatedChanges } from '../../../src/plan/compare-saved-plan.js';
import type { Plan } from '../../../src/plan/plan.js';
import { fixturePlan } from './support/fixture-plan.js';

/** A deep copy to edit, as a tamperer edits the file. */
const copy = (plan: Plan) =>
  JSON.parse(JSON.stringify(plan)) as { changes: (Record<string, unknown> & { after: Record<string, unknown> })[] } & Record<string, unknown>;
const asPlan = (data: unknown) => data as Plan;

function refused(saved: unknown, derived: Plan): Error {
  try {
    validatedChanges(asPlan(saved), derived);
  } catch (error) {
    return error as Error;
  }
  throw new Error('the saved plan was accepted');
}

describe('validatedChanges (a saved plan against the re-derived one)', () => {
  it("accepts an untouched plan and returns the re-derived change objects, not the file's", async () => {
    const { plan } = await fixturePlan();
    const saved = asPlan(copy(plan));
    const result = validatedChanges(saved, plan);
    expect(result).toEqual(plan.changes);
    result.forEach((change, i) => expect(change).toBe(plan.changes[i]));
  });

  it('accepts a plan that holds only some of the changes cis-fix would make', async () => {
    const { plan } = await fixturePlan();
    const saved = copy(plan);
    saved.changes = saved.changes.slice(0, 3);
    expect(validatedChanges(asPlan(saved), plan).map((c) => c.id)).toEqual(plan.changes.slice(0, 3).map((c) => c.id));
  });

  it('refuses a loosened mode, naming the change and the field', async () => {
    const { plan } = await fixturePlan();
    const saved = copy(plan);
    const index = saved.changes.findIndex((c) => c['kind'] === 'file-mode');
    const wanted = saved.changes[index]!.after['mode'];
    saved.changes[index]!.after['mode'] = '777';
    const error = refused(saved, plan);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain(
      `changes[${index}] (${String(saved.changes[index]!['id'])}): after.mode is "777" in the plan, but cis-fix would make it "${String(wanted)}"`,
    );
  });

  it('refuses edited manifest content by the first line that differs', async () => {
    const { plan } = await fixturePlan();
    const saved = copy(plan);
    const index = saved.changes.findIndex((c) => c['kind'] === 'static-pod-manifest' && String(c['target']).endsWith('kube-apiserver.yaml'));
    const change = saved.changes[index]!;
    change.after['content'] = String(change.after['content']).replace(/--authorization-mode=[^\n]*/, '--authorization-mode=AlwaysAllow');
    expect(refused(saved, plan).message).toMatch(/after\.content line \d+ is " +- --authorization-mode=AlwaysAllow" in the plan/);
  });

  it('refuses a change cis-fix would not make, and the same change twice', async () => {
    const { plan } = await fixturePlan();
    const saved = copy(plan);
    saved.changes.push({ ...saved.changes[0]!, id: 'cp-1:file-mode:/etc/passwd', target: '/etc/passwd' });
    saved.changes.push(saved.changes[1]!);
    const message = refused(saved, plan).message;
    expect(message).toContain('(cp-1:file-mode:/etc/passwd): cis-fix would not make this change');
    expect(message).toContain(`(${String(saved.changes[1]!['id'])}): the plan holds this change twice`);
  });

  it('calls a plan stale, naming the target, when only what it found differs', async () => {
    const { plan } = await fixturePlan();
    const saved = copy(plan);
    const index = saved.changes.findIndex((c) => c['kind'] === 'file-mode');
    (saved.changes[index]!['precondition'] as Record<string, unknown>)['sha256'] = 'b'.repeat(64);
    const error = refused(saved, plan);
    expect(error).toBeInstanceOf(StalePlanError);
    expect(error.message).toContain(
      `${String(saved.changes[index]!['node'])}:${String(saved.changes[index]!['target'])} (precondition.sha256 changed since the plan)`,
    );
  });

  it('names an API object whose resourceVersion moved on', async () => {
    const { plan } = await fixturePlan();
    const saved = copy(plan);
    const api = saved.changes.find((c) => c['kind'] === 'api-object' && c['action'] === 'patch')!;
    const fresh = plan.changes.find((c) => c.id === api['id']) as Change & { precondition: { resourceVersion: string } };
    (api['precondition'] as Record<string, unknown>)['resourceVersion'] = '1';
    expect(refused(saved, plan).message).toContain(`${String(api['target'])} (resourceVersion 1 in the plan, ${fresh.precondition.resourceVersion} now)`);
  });

  it('refuses a selection or benchmark other than the one cis-fix planned for', async () => {
    const { plan } = await fixturePlan();
    const saved = copy(plan);
    (saved['selection'] as { nodes: string[] }).nodes = ['cp-1', 'evil'];
    (saved['benchmark'] as { id: string }).id = 'cis-1.11';
    const message = refused(saved, plan).message;
    expect(message).toContain('benchmark.id: the plan says cis-1.11, cis-fix planned cis-1.12');
    expect(message).toContain('selection.nodes: the plan says ["cp-1","evil"]');
  });
});
