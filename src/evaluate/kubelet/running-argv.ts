import type { NodeFacts } from '../../facts/types.js';
import type { KubeletCommandLine } from './kubelet-command-line.js';
import { kubeletProblem, type KubeletProblem } from './kubelet-problem.js';

/**
 * Which command line the kubelet's settings are read from, and whether the
 * unit still agrees with the running process. Pure.
 *
 * The running kubelet's argv (/proc/PID/cmdline) is the truth about what is
 * in effect. The unit tells where each word comes from; if the two differ,
 * the unit or an environment file changed after the kubelet started (or
 * uses syntax cis-fix does not model), and attributing a flag to a file
 * would be a guess: the mismatch is reported instead, and is blocking.
 */
export interface KubeletArgv {
  readonly argv: readonly string[] | undefined;
  readonly from: 'running' | 'unit' | 'none';
  /** True iff `argv` word i comes from `commandLine.words[i]` (same text, same order). */
  readonly attributable: boolean;
  readonly problems: readonly KubeletProblem[];
}

export function kubeletArgv(facts: NodeFacts, commandLine: KubeletCommandLine): KubeletArgv {
  const running = facts.components.kubelet?.argv;
  const unit = commandLine.words?.map((w) => w.text);
  if (running === undefined) {
    const problem = kubeletProblem('kubelet-not-running', 'no kubelet process is running: values are those the unit would start it with');
    return unit
      ? { argv: unit, from: 'unit', attributable: true, problems: [problem] }
      : { argv: undefined, from: 'none', attributable: false, problems: [problem] };
  }
  if (unit === undefined) return { argv: running, from: 'running', attributable: false, problems: [] };
  const difference = describeDifference(running, unit);
  if (difference === undefined) return { argv: running, from: 'running', attributable: true, problems: [] };
  return {
    argv: running,
    from: 'running',
    attributable: false,
    problems: [
      kubeletProblem(
        'argv-mismatch',
        `the running kubelet's command line differs from what its unit gives now (${difference}): the unit, a drop-in or an environment file changed after the kubelet started. ` +
          'Restart the kubelet (systemctl daemon-reload && systemctl restart kubelet) or undo the change, then plan again',
      ),
    ],
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function describeDifference(running: readonly string[], unit: readonly string[]): string | undefined {
  const sameHead = basename(running[0] ?? '') === basename(unit[0] ?? '');
  const sameTail = running.length === unit.length && running.every((w, i) => i === 0 || w === unit[i]);
  if (sameHead && sameTail) return undefined;
  const remaining = [...unit.slice(1)];
  const onlyRunning: string[] = [];
  for (const word of running.slice(1)) {
    const at = remaining.indexOf(word);
    if (at >= 0) remaining.splice(at, 1);
    else onlyRunning.push(word);
  }
  const parts: string[] = [];
  if (!sameHead) parts.push(`running ${running[0] ?? '?'}, unit ${unit[0] ?? '?'}`);
  if (onlyRunning.length) parts.push(`only running: ${onlyRunning.join(' ')}`);
  if (remaining.length) parts.push(`only in the unit: ${remaining.join(' ')}`);
  if (parts.length === 0) parts.push('same words, different order');
  return parts.join('; ');
}
