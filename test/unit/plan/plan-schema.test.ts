import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../../src/model/errors.js';
import { parsePlan, serializePlan } from '../../../src/plan/planfile.js';
import { fixturePlan } from './support/fixture-plan.js';

type Json = Record<string, unknown> & { changes: Record<string, unknown>[] };

async function planJson(): Promise<Json> {
  return JSON.parse(serializePlan((await fixturePlan()).plan)) as Json;
}

function refusal(data: unknown): string {
  try {
    parsePlan(JSON.stringify(data), 'plan.json');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('the plan was accepted');
}

describe('the plan file schema', () => {
  it('round-trips a real plan of the drifted lab with every change kind', async () => {
    const { plan } = await fixturePlan();
    expect(new Set(plan.changes.map((c) => c.kind))).toEqual(
      new Set(['file-mode', 'file-owner', 'static-pod-manifest', 'kubelet-file', 'support-file', 'api-object']),
    );
    const text = serializePlan(plan);
    expect(parsePlan(text, 'plan.json')).toEqual(JSON.parse(text));
  });

  it('round-trips a plan saved by cis-fix plan on the drifted lab', () => {
    const text = readFileSync(fileURLToPath(new URL('./fixtures/drifted-lab-plan.json', import.meta.url)), 'utf8');
    expect(parsePlan(text, 'plan.json')).toEqual(JSON.parse(text));
  });

  it('refuses a mode that is not octal, naming the file and the JSON path', async () => {
    const data = await planJson();
    const index = data.changes.findIndex((c) => c['kind'] === 'file-mode');
    (data.changes[index]!['after'] as Record<string, unknown>)['mode'] = 'rwxrwxrwx';
    expect(refusal(data)).toContain(`plan.json: changes[${index}].after.mode: expected an octal mode like "600", not "rwxrwxrwx"`);
  });

  it('refuses an unknown key, listing the keys allowed there', async () => {
    const data = await planJson();
    (data.changes[0]!['after'] as Record<string, unknown>)['command'] = 'rm -rf /';
    const message = refusal(data);
    expect(message).toContain('plan.json: changes[0].after.command: unknown key `command`');
    expect(message).toMatch(/Keys allowed here: /);
  });

  it('refuses an unknown change kind, naming the kinds there are', async () => {
    const data = await planJson();
    data.changes[1]!['kind'] = 'shell-command';
    expect(refusal(data)).toMatch(
      /plan\.json: changes\[1\]\.kind: unknown kind "shell-command"[\s\S]*file-mode, file-owner, static-pod-manifest, kubelet-file, support-file, api-object/,
    );
  });

  it('refuses a missing precondition, and a mistyped one', async () => {
    const data = await planJson();
    delete data.changes[2]!['precondition'];
    (data.changes[3]!['precondition'] as Record<string, unknown>)['uid'] = '0';
    const message = refusal(data);
    expect(message).toContain('plan.json: changes[2].precondition: missing `precondition`');
    expect(message).toContain('plan.json: changes[3].precondition.uid');
  });

  it('refuses a finding with an unknown status and a header with a foreign benchmark', async () => {
    const data = await planJson();
    (data['findings'] as Record<string, unknown>[])[0]!['status'] = 'fine';
    (data['benchmark'] as Record<string, unknown>)['id'] = 'cis-9.9';
    const message = refusal(data);
    expect(message).toContain('plan.json: findings[0].status');
    expect(message).toContain('plan.json: benchmark.id');
  });

  it('refuses other format versions and files that are not plans', () => {
    expect(() => parsePlan('{"formatVersion":2,"tool":{"name":"cis-fix"}}', 'p.json')).toThrow(/plan format version 2/);
    expect(() => parsePlan('[]', 'p.json')).toThrow(/not a cis-fix plan file/);
    expect(() => parsePlan('{', 'p.json')).toThrow(/not a plan file/);
  });
});
