import { normalizePath } from '../../facts/index.js';
import type { NodeFacts } from '../../facts/types.js';
import { parseEnvironmentFile } from './environment-file.js';
import type { KubeletCommandLine } from './kubelet-command-line.js';
import { kubeletProblem, type KubeletProblem } from './kubelet-problem.js';
import { splitWords } from './systemd-words.js';

/**
 * Places that set a kubelet flag the kubelet never sees: a well-known
 * environment file no unit reads (/etc/sysconfig/kubelet on a Debian
 * layout), or a variable the ExecStart line does not use. Worth telling
 * the operator (someone meant it to apply), never worth editing. Pure.
 */
export function findDormantFlags(facts: NodeFacts, commandLine: KubeletCommandLine, flag: string): KubeletProblem[] {
  const problems: KubeletProblem[] = [];
  const sets = (value: string): boolean =>
    splitWords({ text: value, offsets: [...value].map((_, i) => i) }, 'variable').some((w) => w.text === flag || w.text.startsWith(`${flag}=`));
  const used = new Set<string>();
  for (const word of commandLine.words ?? []) {
    if (word.origin.kind === 'variable') used.add(word.origin.variable);
    if (word.origin.kind === 'embedded') word.origin.variables.forEach((v) => used.add(v));
  }
  if (commandLine.words !== undefined) {
    for (const [name, assignment] of commandLine.variables) {
      if (!used.has(name) && sets(assignment.value.text)) {
        problems.push(
          kubeletProblem(
            'dormant-flag',
            `${assignment.file}:${assignment.line} sets ${flag} in ${name}, but the kubelet's ExecStart does not use $${name}: it has no effect`,
            assignment.file,
          ),
        );
      }
    }
  }
  const read = new Set(commandLine.files);
  for (const envFile of facts.kubeletService.environmentFiles) {
    if (read.has(envFile.path) || envFile.declaredIn !== null || !envFile.exists) continue;
    const entry = facts.paths[normalizePath(envFile.path)];
    if (!entry?.exists || entry.content.kind !== 'text') continue;
    for (const assignment of parseEnvironmentFile(entry.content.text)) {
      if (sets(assignment.value.text)) {
        problems.push(
          kubeletProblem(
            'dormant-flag',
            `${envFile.path}:${assignment.line} sets ${flag} in ${assignment.name}, but no kubelet unit reads ${envFile.path}: it has no effect`,
            envFile.path,
          ),
        );
      }
    }
  }
  return problems;
}
