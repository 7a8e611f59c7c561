import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError, type InputProblem } from '../../../src/model/errors.js';
import { loadBenchmark } from '../../../src/playbook/load-playbooks.js';

// Each case writes a small benchmark into a temp directory — a valid base
// with one thing broken — and checks that loading names the file, the line
// and what to write instead.

const BENCHMARK = `id: cis-1.12
title: Test benchmark
version: "1.12"
kubernetesVersions:
  from: "1.32"
`;

const VARIABLES = `variables:
  apiserverManifest:
    description: kube-apiserver manifest
    type: file
    candidates: [/etc/kubernetes/manifests/kube-apiserver.yaml]
  pki:
    description: PKI directory
    type: directory
    default: /etc/kubernetes/pki
`;

const PARAMETERS = `parameters:
  auditLogPath:
    description: where the audit log goes
    type: path
    default: /var/log/audit.log
  owner:
    description: who owns it
    type: enum
    values: [etcd, root]
`;

/** A valid control; `extra` lines are appended inside it (indented as control keys). */
function control(id: string, body = FILE_MODE_ENSURE): string {
  return `  - id: "${id}"
    section: "1.1"
    title: Ensure that a file is fine
    assessment: Automated
    roles: [control-plane]
    kubeBench:
      target: master
      scored: true
      audit:
        source: stat
        format: permissions=%a
        files:
          - { select: variable, variable: apiserverManifest }
      tests:
        items:
          - flag: permissions
            compare: { op: bitmask, value: "600" }
${body}`;
}

const FILE_MODE_ENSURE = `    ensure:
      - kind: file-mode
        path: "{apiserverManifest}"
        maxMode: "600"
`;

function sectionFile(...controls: string[]): string {
  return `benchmark: cis-1.12
sections:
  - id: "1.1"
    title: Files
controls:
${controls.join('')}`;
}

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cis-fix-playbooks-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeBenchmark(files: Record<string, string>): Promise<string> {
  const dir = join(root, 'cis-1.12');
  await mkdir(dir, { recursive: true });
  const all = { 'benchmark.yaml': BENCHMARK, 'variables.yaml': VARIABLES, 'parameters.yaml': PARAMETERS, ...files };
  for (const [name, text] of Object.entries(all)) await writeFile(join(dir, name), text);
  return dir;
}

/** Loads and returns the problems of the UserError it must throw. */
async function problemsOf(files: Record<string, string>): Promise<InputProblem[]> {
  await writeBenchmark(files);
  try {
    await loadBenchmark('cis-1.12', root);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return [...(error as UserError).problems];
  }
  throw new Error('the playbooks loaded although they are invalid');
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" not in the text`);
  return index + 1;
}

describe('loading playbooks', () => {
  it('accepts the valid base the rejection cases start from', async () => {
    await writeBenchmark({ '1.1-files.yaml': sectionFile(control('1.1.1')) });
    const benchmark = await loadBenchmark('cis-1.12', root);
    expect(benchmark.controls.map((c) => c.id)).toEqual(['1.1.1']);
    expect(benchmark.controls[0]?.definedAt).toMatchObject({ file: join(root, 'cis-1.12', '1.1-files.yaml'), line: 6 });
  });

  it('rejects an unknown key, naming its line and suggesting the right one', async () => {
    const text = sectionFile(control('1.1.1', FILE_MODE_ENSURE.replace('maxMode: "600"', 'maxMode: "600"\n        optinal: true')));
    const [problem, ...rest] = await problemsOf({ '1.1-files.yaml': text });
    expect(rest).toEqual([]);
    expect(problem?.location).toMatchObject({ file: join(root, 'cis-1.12', '1.1-files.yaml'), line: lineOf(text, 'optinal') });
    expect(problem?.message).toBe('unknown key `optinal`');
    expect(problem?.fix).toContain('Did you mean `optional`?');
  });

  it('rejects the same control id in two files, naming both places', async () => {
    const first = sectionFile(control('1.1.1'));
    const second = sectionFile(control('1.1.1'));
    const problems = await problemsOf({ '1.1-a.yaml': first, '1.1-b.yaml': second });
    // Both files also declare section 1.1: that is a problem of its own.
    expect(problems.map((p) => p.message)).toEqual(['section 1.1 is declared twice', 'control 1.1.1 is defined twice']);
    const duplicate = problems[1];
    expect(duplicate?.location).toMatchObject({ file: join(root, 'cis-1.12', '1.1-b.yaml'), line: lineOf(second, 'id: "1.1.1"') });
    expect(duplicate?.fix).toContain(`${join(root, 'cis-1.12', '1.1-a.yaml')}:${lineOf(first, 'id: "1.1.1"')}`);
  });

  it('rejects a mode that is not three octal digits, and an unquoted one', async () => {
    const text = sectionFile(
      control('1.1.1', FILE_MODE_ENSURE.replace('maxMode: "600"', 'maxMode: "680"')),
      control('1.1.2', FILE_MODE_ENSURE.replace('maxMode: "600"', 'maxMode: 600')),
    );
    const problems = await problemsOf({ '1.1-files.yaml': text });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ location: { line: lineOf(text, '"680"') }, message: '"680" is not a file mode' });
    expect(problems[0]?.fix).toContain('maxMode: "600"');
    expect(problems[1]).toMatchObject({ location: { line: lineOf(text, 'maxMode: 600') }, message: '`maxMode` is number 600, not a string' });
    expect(problems[1]?.fix).toContain('Quote it: maxMode: "600"');
  });

  it('rejects an unknown kind and lists the kinds there are', async () => {
    const text = sectionFile(control('1.1.1', FILE_MODE_ENSURE.replace('kind: file-mode', 'kind: file-perms')));
    const [problem, ...rest] = await problemsOf({ '1.1-files.yaml': text });
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ location: { line: lineOf(text, 'file-perms') }, message: 'unknown kind "file-perms"' });
    expect(problem?.fix).toContain('file-mode, file-owner, static-pod-flag, kubelet-setting, kube-proxy-setting, support-file, api-object');
  });

  it('rejects a reference to a path variable that is not declared', async () => {
    const text = sectionFile(control('1.1.1', FILE_MODE_ENSURE.replace('{apiserverManifest}', '{apiserverManfest}')));
    const [problem, ...rest] = await problemsOf({ '1.1-files.yaml': text });
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ location: { line: lineOf(text, 'apiserverManfest') }, message: 'unknown path variable apiserverManfest' });
    expect(problem?.fix).toContain('Did you mean `apiserverManifest`?');
  });

  it('rejects a reference to a parameter that is not declared, and one of the wrong type', async () => {
    const body = `    ensure:
      - kind: file-owner
        path: "{pki}"
        owner: { param: ownr }
        group: { param: auditLogPath }
`;
    const text = sectionFile(control('1.1.1', body));
    const problems = await problemsOf({ '1.1-files.yaml': text });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ location: { line: lineOf(text, 'ownr') }, message: 'unknown parameter ownr' });
    expect(problems[0]?.fix).toContain('Did you mean `owner`?');
    expect(problems[1]).toMatchObject({
      location: { line: lineOf(text, 'param: auditLogPath') },
      message: 'parameter auditLogPath is path, but this place needs string or enum',
    });
  });

  it('rejects a control with both ensure and manual, and one with neither', async () => {
    const both = `${FILE_MODE_ENSURE}    manual:
      reason: because
      guidance: do it by hand
`;
    const text = sectionFile(control('1.1.1', both), control('1.1.2', ''));
    const problems = await problemsOf({ '1.1-files.yaml': text });
    expect(problems.map((p) => p.message)).toEqual(['control 1.1.1 has both `ensure` and `manual`', 'control 1.1.2 has neither `ensure` nor `manual`']);
    expect(problems[0]?.location?.line).toBe(lineOf(text, 'manual:'));
    expect(problems[1]?.location?.line).toBe(lineOf(text, 'id: "1.1.2"'));
    expect(problems[1]?.fix).toContain('manual:');
  });

  it('rejects an id YAML reads as a number, saying to quote it', async () => {
    const text = sectionFile(control('1.1.1')).replace('id: "1.1.1"', 'id: 1.1');
    const problems = await problemsOf({ '1.1-files.yaml': text });
    expect(problems[0]).toMatchObject({ location: { line: lineOf(text, 'id: 1.1') }, message: '`id` is number 1.1, not a string' });
    expect(problems[0]?.fix).toContain('Quote it: id: "1.1"');
  });

  it('rejects a creation of a user that no parameter chose', async () => {
    const body = `    ensure:
      - kind: file-owner
        path: "{pki}"
        owner: etcd
        group: etcd
        createMissingUser: true
`;
    const text = sectionFile(control('1.1.1', body));
    const [problem] = await problemsOf({ '1.1-files.yaml': text });
    expect(problem).toMatchObject({ location: { line: lineOf(text, 'createMissingUser') }, message: 'cis-fix never creates a user the user did not choose' });
  });

  it('rejects a scored flag that contradicts the assessment', async () => {
    const text = sectionFile(control('1.1.1').replace('assessment: Automated', 'assessment: Manual'));
    const [problem] = await problemsOf({ '1.1-files.yaml': text });
    expect(problem?.location?.line).toBe(lineOf(text, 'scored: true'));
    expect(problem?.fix).toBe('Write scored: false, or correct `assessment:`.');
  });

  it('rejects a static-pod-flag step that states two requirements', async () => {
    const body = `    ensure:
      - kind: static-pod-flag
        component: kube-apiserver
        flag: --profiling
        value: "false"
        absent: true
`;
    const text = sectionFile(control('1.1.1', body));
    const [problem] = await problemsOf({ '1.1-files.yaml': text });
    expect(problem).toMatchObject({
      location: { line: lineOf(text, 'absent: true') },
      message: 'the step gives value and absent; only one requirement per step',
    });
  });

  it('rejects a bad parameter default and a YAML syntax error, all at once across files', async () => {
    const parameters = PARAMETERS.replace('default: /var/log/audit.log', 'default: audit.log');
    const broken = 'benchmark: cis-1.12\nsections: [\n';
    const problems = await problemsOf({ 'parameters.yaml': parameters, '1.1-files.yaml': sectionFile(control('1.1.1')), '1.2-broken.yaml': broken });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ location: { file: join(root, 'cis-1.12', 'parameters.yaml'), line: lineOf(parameters, 'default: audit.log') } });
    expect(problems[0]?.message).toContain('must be an absolute path');
    expect(problems[1]?.location?.file).toBe(join(root, 'cis-1.12', '1.2-broken.yaml'));
    expect(problems[1]?.message).toMatch(/^YAML syntax error/);
  });

  it('rejects a benchmark directory without its variables file', async () => {
    const dir = await writeBenchmark({ '1.1-files.yaml': sectionFile(control('1.1.1')) });
    await rm(join(dir, 'variables.yaml'));
    await expect(loadBenchmark('cis-1.12', root)).rejects.toThrow('cis-1.12 has no variables.yaml');
  });

  it('says which benchmarks exist when asked for one without playbooks', async () => {
    await expect(loadBenchmark('cis-1.11', root)).rejects.toThrow(/There are no playbooks for cis-1.11/);
  });
});
