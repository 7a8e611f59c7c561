import type { ArgListSource } from '../component-source.js';
import { argKeySources } from '../rancher/rancher-config.js';
import type { KubeletCommandLine } from './kubelet-command-line.js';
import { kubeletProblem } from './kubelet-problem.js';

/**
 * The kubelet's command line when a distribution builds it (RKE2, k3s: the
 * routing question, component-source.ts `argListSource`): no systemd unit
 * of the kubelet's own says what it runs with, the distribution merges its
 * defaults with the `kubelet-arg` lists of its config files. Its words are
 * then only known from the running kubelet (a process, or the line k3s logs
 * for the kubelet it runs inside its own process). Pure.
 */
export function launchedCommandLine(source: ArgListSource): KubeletCommandLine {
  return {
    words: undefined,
    execStart: undefined,
    variables: new Map(),
    files: source.files.filter((f) => f.exists).map((f) => f.path),
    // A config file cis-fix could not read may set kubelet-arg: where a flag comes from is then a guess.
    problems: source.problem ? [kubeletProblem('unreadable', source.problem)] : [],
  };
}

/** Where a kubelet flag of a distribution-built command line is written: the config file whose `kubelet-arg` entry sets it last. */
export interface ArgListSite {
  readonly file: string;
  readonly key: string;
  /** 1-based line of the list element. */
  readonly line: number | null;
}

/** The file whose `*-arg` list sets `flag` (dashes included) in effect; undefined when the distribution sets it itself (its default). */
export function argListSite(source: ArgListSource, flag: string): ArgListSite | undefined {
  const merged = argKeySources(source.files, source.key);
  if ('problem' in merged) return undefined;
  const name = flag.replace(/^--?/, '');
  let site: ArgListSite | undefined;
  for (const contributor of merged.contributors) {
    const text = source.files.find((f) => f.path === contributor.path)?.text ?? '';
    for (const entry of contributor.key.entries ?? []) {
      if (entry.flag !== name) continue;
      const offset = entry.node.range?.[0];
      site = { file: contributor.path, key: source.key, line: offset === undefined ? null : lineAt(text, offset) };
    }
  }
  return site;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}
