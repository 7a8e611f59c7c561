import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeExec, type LabState } from '../../lab/lab.js';
import type { RunJournal } from '../../../src/model/run-journal.js';
import type { CliResult } from './cli.js';

// Fault injection for the e2e fault suite (issue 10 §6): a cis-fix process
// to kill at a chosen phase, node commands that hang on cue, links and sshd
// taken away and given back.

const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));

export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves when the process has exited and was reaped (a killed cis-fix's pid is gone then, not a zombie). */
  readonly done: Promise<CliResult>;
}

/** Start the built CLI without waiting for it (no TTY, no colours), to kill it halfway. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : 1), stdout, stderr })),
  );
  return { child, done };
}

/** The running apply's journal in the state dir, when `ready` says the phase has come. Fails after `timeoutMs`. */
export async function waitForJournal(stateDir: string, ready: (journal: RunJournal) => boolean, timeoutMs = 60_000, after = ''): Promise<RunJournal> {
  const runs = join(stateDir, 'runs');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let names: string[] = [];
    try {
      names = readdirSync(runs).filter((n) => n.endsWith('.json') && n > after);
    } catch {
      // not created yet
    }
    for (const name of names) {
      try {
        const journal = JSON.parse(readFileSync(join(runs, name), 'utf8')) as RunJournal;
        if (journal.kind === 'apply' && journal.status === 'running' && ready(journal)) return journal;
      } catch {
        // being replaced right now: read it again next round
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no running apply journal reached the awaited phase within ${timeoutMs / 1000}s`);
}

/** The newest run id in the state dir (journals are named by run id, which sort by time). */
export function newestRunId(stateDir: string): string {
  try {
    return (
      readdirSync(join(stateDir, 'runs'))
        .filter((n) => n.endsWith('.json'))
        .sort()
        .at(-1)
        ?.replace(/\.json$/, '') ?? ''
    );
  } catch {
    return '';
  }
}

export const hasStep = (journal: RunJournal, phase: string, target?: string, node?: string) =>
  journal.steps.some((s) => s.phase === phase && (target === undefined || ('target' in s && s.target === target)) && (node === undefined || s.node === node));

/**
 * Make `/usr/bin/NAME` on a node hang for `seconds` when its arguments match
 * the shell pattern `match` (and not `unless`), then run the real command.
 * The hanging wrapper notes its pid and its parent's (the cis-fix script)
 * in /run/lab/hang-NAME.pids. Returns a function that puts the real binary back.
 */
export async function hangCommand(
  lab: LabState,
  node: string,
  name: string,
  match: string,
  seconds: number,
  unless = '*/var/lib/cis-fix/*',
): Promise<() => Promise<void>> {
  const path = `/usr/bin/${name}`;
  const wrapper = `#!/bin/sh\ncase "$*" in ${unless}) ;; ${match}) echo "$$ $PPID" >> /run/lab/hang-${name}.pids; sleep ${seconds} ;; esac\nexec ${path}.real "$@"\n`;
  const installed = await nodeExec(
    lab,
    node,
    ['/bin/sh', '-c', `cat > ${path}.new && chmod 755 ${path}.new && cp -p ${path} ${path}.real && mv -f ${path}.new ${path}`],
    wrapper,
  );
  if (installed.code !== 0) throw new Error(`cannot wrap ${path} on ${node}: ${installed.stderr}`);
  return async () => {
    await nodeExec(lab, node, ['/bin/sh', '-c', `[ -e ${path}.real ] && mv -f ${path}.real ${path}; rm -f /run/lab/hang-${name}.pids`]);
  };
}

/** The pids "WRAPPER SCRIPT" of commands hanging in hangCommand's wrapper right now. */
export async function hangingPids(lab: LabState, node: string, name: string): Promise<number[][]> {
  const out = await nodeExec(lab, node, ['/bin/sh', '-c', `cat /run/lab/hang-${name}.pids 2>/dev/null`]);
  return out.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ').map(Number));
}

/**
 * Kill -9 the node side of a hanging command too — the cis-fix script first,
 * then the wrapper — as if the node had lost the process (the state a
 * reboot or a killed session leaves): no cleanup runs there.
 */
export async function killNodeSide(lab: LabState, node: string, name: string): Promise<void> {
  for (const [wrapper, script] of await hangingPids(lab, node, name)) {
    await nodeExec(lab, node, ['kill', '-9', String(script), String(wrapper)]);
  }
}

/** Take a node's only link down (its sshd keeps running, unreachable) or bring it back. */
export async function setLink(lab: LabState, node: string, state: 'up' | 'down'): Promise<void> {
  const result = await nodeExec(lab, node, ['ip', 'link', 'set', 'eth0', state]);
  if (result.code !== 0) throw new Error(`ip link set eth0 ${state} on ${node}: ${result.stderr}`);
}

/** Kill every sshd of a node (the listener and every session): its connections drop at once, new ones are refused. */
export async function stopSshd(lab: LabState, node: string): Promise<void> {
  const pids = (await nodeExec(lab, node, ['pgrep', '-x', 'sshd'])).stdout
    .trim()
    .split('\n')
    .filter((p) => p !== '');
  if (pids.length > 0) await nodeExec(lab, node, ['kill', '-9', ...pids]);
}

/** Start the node's sshd again as the lab does (it daemonizes). */
export async function startSshd(lab: LabState, node: string): Promise<void> {
  const result = await nodeExec(lab, node, ['/usr/sbin/sshd', '-f', '/etc/ssh/sshd_config', '-E', '/var/log/sshd.log']);
  if (result.code !== 0) throw new Error(`sshd did not start on ${node}: ${result.stderr}`);
}

/** What a node's manifest directory holds, sorted (nothing but manifests may ever be there). */
export async function manifestDir(lab: LabState, node: string): Promise<string[]> {
  return (await nodeExec(lab, node, ['ls', '-A', '/etc/kubernetes/manifests'])).stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

/** Whether a node has a cis-fix lock. */
export async function lockPresent(lab: LabState, node: string): Promise<boolean> {
  return (await nodeExec(lab, node, ['test', '-e', '/var/lib/cis-fix/lock'])).code === 0;
}
