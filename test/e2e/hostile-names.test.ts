import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { jest } from '@jest/globals';
import { runCli } from './support/cli.js';

// Issue 10 §3 on the drifted lab: files whose names hold a newline, ESC,
// quotes, `$()`, a leading `-`, `*`, a backslash or a trailing newline, in
// /etc/kubernetes/pki/ (where some are legitimate targets of 1.1.19-1.1.21)
// and in /etc/kubernetes/ (where none is). Gathering, planning and apply must
// carry every name byte for byte: plan, apply --yes (exit 0), an empty plan
// afterwards, targets changed exactly as planned, everything else untouched.
const INSTANCE = 'e2e-hostile';
const NODE = 'cp-1';
const PKI_CONTROLS = '1.1.19,1.1.20,1.1.21';
// Relative: a name cannot hold '/'. Looked for wherever a command could have run.
const PWNED = 'cis-fix-pwned';
const PWNED_DIRS = ['/', '/root', '/home/ops', '/tmp', '/etc/kubernetes', '/etc/kubernetes/pki', '/var/lib/cis-fix'];

const HOSTILE = [
  'new\nline',
  'esc\u001b[2J\u001b[31mred',
  `quote's "double"`,
  `$(touch ${PWNED})`,
  '`touch ${PWNED}`',
  '-leading-dash',
  '*',
  'back\\slash\\n',
  'semi;colon|pipe&',
  'trailing-newline\n',
];

/** Directories with hostile names below pki/ (a trailing newline is lost by every `$(dirname …)`), each holding a loose certificate. */
const HOSTILE_DIRS = ['dir-trailing-newline\n', 'dir\nwith\u001b[1mesc'];

interface Planted {
  readonly path: string;
  readonly mode: string;
  readonly owner: string;
}

/** What each hostile file starts as; the loose ones in pki/ are what 1.1.19-1.1.21 must fix. */
const PLANTED: readonly Planted[] = HOSTILE.flatMap((name) => [
  { path: `/etc/kubernetes/pki/${name}.crt`, mode: '666', owner: 'root:root' },
  { path: `/etc/kubernetes/pki/${name}.key`, mode: '644', owner: 'root:root' },
  { path: `/etc/kubernetes/pki/${name}`, mode: '600', owner: 'ops:ops' },
  { path: `/etc/kubernetes/${name}`, mode: '666', owner: 'ops:ops' },
]).concat(HOSTILE_DIRS.map((dir) => ({ path: `/etc/kubernetes/pki/${dir}/inner.crt`, mode: '666', owner: 'root:root' })));

interface PlanJson {
  changes: { node: string; kind: string; target: string; after: { mode?: string; user?: string; group?: string } }[];
}

interface FileState {
  readonly mode: string;
  readonly owner: string;
  readonly sha256: string;
}

let lab: LabState;
let stateDir: string;
let scratch: string;
const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });

/** Mode, owner and content hash of each path, read NUL-safely (paths as argv, records NUL-terminated). */
async function stateOf(paths: readonly string[]): Promise<Map<string, FileState>> {
  const script = `for p; do printf '%s\\0%s\\0' "$(stat -c '%a %U:%G' -- "$p")" "$(sha256sum < "$p" | cut -c1-64)"; done`;
  const result = await nodeExec(lab, NODE, ['/bin/sh', '-c', script, 'sh', ...paths]);
  if (result.code !== 0) throw new Error(`stat on ${NODE} failed: ${result.stderr}`);
  const fields = result.stdout.split('\0');
  return new Map(
    paths.map((path, i) => {
      const [mode = '', owner = ''] = (fields[2 * i] ?? '').split(' ');
      return [path, { mode, owner, sha256: fields[2 * i + 1] ?? '' }];
    }),
  );
}

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 1, scenario: 'drifted', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-hostile-'));
  for (const dir of HOSTILE_DIRS) {
    const made = await nodeExec(lab, NODE, ['mkdir', '-m', '755', '--', `/etc/kubernetes/pki/${dir}`]);
    if (made.code !== 0) throw new Error(`mkdir ${JSON.stringify(dir)} failed: ${made.stderr}`);
  }
  for (const [i, file] of PLANTED.entries()) {
    // Every name travels as an argv element: no shell ever parses it.
    const plant = await nodeExec(lab, NODE, [
      '/bin/sh',
      '-c',
      'printf "hostile %s\\n" "$2" > "$1" && chmod "$3" "$1" && chown "$4" "$1"',
      'sh',
      file.path,
      String(i),
      file.mode,
      file.owner,
    ]);
    if (plant.code !== 0) throw new Error(`planting ${JSON.stringify(file.path)} failed: ${plant.stderr}`);
  }
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

// Apply runs one SSH exec per step of ~40 changes on a shared, busy machine.
jest.setTimeout(600_000);

describe('file names that are hostile to shells and terminals', () => {
  let before: Map<string, FileState>;
  let planFile: string;
  let targets: Map<string, PlanJson['changes'][number]>;

  it('are planned as targets with their exact names, in pki/ only', async () => {
    before = await stateOf(PLANTED.map((f) => f.path));
    expect([...before.values()].every((s) => /^[0-9a-f]{64}$/.test(s.sha256))).toBe(true);

    planFile = join(scratch, 'plan.json');
    const planned = await cli('plan', '-i', lab.inventoryFile, '--only', PKI_CONTROLS, '-o', planFile);
    expect({ code: planned.code, output: planned.code === 0 ? '' : planned.stderr }).toEqual({ code: 0, output: '' });
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as PlanJson;
    targets = new Map(plan.changes.filter((c) => c.node === NODE).map((c) => [`${c.kind} ${c.target}`, c]));

    // The JSON plan carries every hostile target exactly as it is named on the node.
    for (const name of HOSTILE) {
      expect(targets.get(`file-mode /etc/kubernetes/pki/${name}.crt`)?.after).toEqual({ mode: '644' });
      expect(targets.get(`file-mode /etc/kubernetes/pki/${name}.key`)?.after).toEqual({ mode: '600' });
      expect(targets.get(`file-owner /etc/kubernetes/pki/${name}`)?.after).toMatchObject({ user: 'root', group: 'root' });
      expect([...targets.keys()].some((t) => t.endsWith(` /etc/kubernetes/${name}`))).toBe(false);
    }
    for (const dir of HOSTILE_DIRS) expect(targets.get(`file-mode /etc/kubernetes/pki/${dir}/inner.crt`)?.after).toEqual({ mode: '644' });
  });

  it('are applied (exit 0), and a new plan is empty', async () => {
    const applied = await cli('apply', planFile, '--yes');
    expect({ code: applied.code, output: applied.code === 0 ? '' : applied.stderr }).toEqual({ code: 0, output: '' });

    const replanned = await cli('plan', '-i', lab.inventoryFile, '--only', PKI_CONTROLS, '--detailed-exitcode', '--json');
    expect(replanned.code).toBe(0);
    expect((JSON.parse(replanned.stdout) as PlanJson).changes).toEqual([]);
  });

  it('changed exactly as planned, the rest untouched, and no name ran as a command', async () => {
    const after = await stateOf(PLANTED.map((f) => f.path));
    for (const file of PLANTED) {
      const was = before.get(file.path)!;
      const planned = [...targets.values()].filter((c) => c.target === file.path);
      const expected = planned.reduce<FileState>(
        (state, change) =>
          change.kind === 'file-mode'
            ? { ...state, mode: change.after.mode! }
            : change.kind === 'file-owner'
              ? { ...state, owner: `${change.after.user}:${change.after.group}` }
              : state,
        was,
      );
      expect({ path: file.path, ...after.get(file.path) }).toEqual({ path: file.path, ...expected });
    }

    const pwned = await nodeExec(lab, NODE, ['/bin/sh', '-c', 'for d; do [ ! -e "$d/$0" ] || echo "$d/$0"; done', PWNED, ...PWNED_DIRS]);
    expect(pwned.stdout).toBe('');
  });
});
