import { flagOccurrences } from '../../facts/process-flags.js';
import { argumentNodes, readManifestLayout } from './manifest-layout.js';
import type { ManifestLayout } from './manifest-layout.js';

/**
 * The flags a static pod's container runs with, read from its manifest the
 * way the component reads them (pflag: `--flag=value` or `--flag value`,
 * the last occurrence wins; etcd also takes `-flag=value`). Each occurrence
 * also says whether kube-bench can see it: kube-bench reads only the FIRST
 * `--flag=value` and reads `--flag value` as "true" (KUBE-BENCH-SEMANTICS.md).
 */

/** One occurrence of a flag in the container's argv. */
export interface PodFlagOccurrence {
  /** Index in `argv` of the flag element (for `separate`, the value is at index + 1). */
  readonly index: number;
  /** `equals`: `--flag=value`; `separate`: `--flag value` (two elements); `bare`: `--flag` alone. */
  readonly form: 'equals' | 'separate' | 'bare';
  /** The value as the component reads it; "true" for a bare flag (pflag's boolean default, and kube-bench's reading). */
  readonly value: string;
  /** Written `-flag…` with one dash (etcd's Go flags accept it): kube-bench, searching for `--flag`, does not see it. */
  readonly singleDash: boolean;
}

/**
 * Invariants: `flags[name]` is the value of the last occurrence in
 * `occurrences[name]`, which is non-empty and in argv order; `duplicates`
 * lists (sorted) the names with more than one occurrence; names carry their
 * leading `--` even when written with one dash.
 */
export interface PodFlags {
  readonly kind: 'flags';
  /** The container the flags were read from (named like the component, else the first). */
  readonly container: string;
  /** `command` followed by `args`, as the container runtime joins them. */
  readonly argv: readonly string[];
  readonly flags: Readonly<Record<string, string>>;
  readonly occurrences: Readonly<Record<string, readonly PodFlagOccurrence[]>>;
  readonly duplicates: readonly string[];
}

export type PodFlagsResult = PodFlags | { readonly kind: 'problem'; readonly problem: string };

/** Read the flags of the component's container (`containerName`, else the first container). */
export function readPodFlags(manifestText: string, containerName?: string): PodFlagsResult {
  const parsed = readManifestLayout(manifestText, containerName);
  return parsed.kind === 'problem' ? parsed : podFlagsOf(parsed.layout);
}

/** The same reading on an already parsed manifest. */
export function podFlagsOf(layout: ManifestLayout): PodFlagsResult {
  const argv = argumentNodes(layout).map((a) => a.value);
  const shell = shellWrapper(layout, argv);
  if (shell) return { kind: 'problem', problem: shell };
  // flagOccurrences skips argv[0] (the binary); with no `command` the image's entrypoint is the binary and args start at 0.
  const offset = layout.command.seq && layout.command.seq.items.length > 0 ? 0 : 1;
  const scanned = offset === 0 ? argv : ['', ...argv];
  const occurrences: Record<string, PodFlagOccurrence[]> = {};
  for (const name of flagNames(scanned)) {
    occurrences[name] = flagOccurrences(scanned, name).map((o) => ({
      index: o.index - offset,
      form: o.form,
      value: o.value ?? 'true',
      singleDash: !(scanned[o.index] ?? '').startsWith('--'),
    }));
  }
  const names = Object.keys(occurrences).sort();
  const flags = Object.fromEntries(names.map((name) => [name, lastValue(occurrences[name] ?? [])]));
  const duplicates = names.filter((name) => (occurrences[name]?.length ?? 0) > 1);
  return { kind: 'flags', container: layout.containerName, argv, flags, occurrences, duplicates };
}

/** Every flag name in argv (after argv[0]), normalised to `--name`. Values of `--flag value` never start with '-'. */
function flagNames(argv: readonly string[]): string[] {
  const names = new Set<string>();
  for (const arg of argv.slice(1)) {
    if (!arg.startsWith('-') || arg === '-' || arg === '--') continue;
    const name = arg.split('=')[0] ?? arg;
    // Mirrors facts/process-flags: `-data-dir` is `--data-dir`; a one-letter `-v` stays a shorthand.
    if (name.startsWith('--')) names.add(name);
    else if (/^-[a-z][a-z0-9-]+$/i.test(name)) names.add(`-${name}`);
  }
  return [...names];
}

function lastValue(occurrences: readonly PodFlagOccurrence[]): string {
  return occurrences[occurrences.length - 1]?.value ?? '';
}

/** `sh -c "kube-apiserver --x …"`: the flags are inside one string cis-fix does not rewrite. */
function shellWrapper(layout: ManifestLayout, argv: readonly string[]): string | undefined {
  const binary = (argv[0] ?? '').split('/').pop() ?? '';
  if (layout.command.seq && ['sh', 'bash', 'dash', 'ash', 'busybox'].includes(binary)) {
    return `container ${layout.containerName} runs its component through ${binary}; cis-fix edits flags only when they are separate command or args elements`;
  }
  return undefined;
}

/** The flags of a command line that has no manifest (a component k3s runs inside its own process, argv from its journal). */
export function embeddedPodFlags(argv: readonly string[]): PodFlags {
  const occurrences: Record<string, PodFlagOccurrence[]> = {};
  for (const name of flagNames(argv)) {
    occurrences[name] = flagOccurrences(argv, name).map((o) => ({
      index: o.index,
      form: o.form,
      value: o.value ?? 'true',
      singleDash: !(argv[o.index] ?? '').startsWith('--'),
    }));
  }
  const names = Object.keys(occurrences).sort();
  const flags = Object.fromEntries(names.map((name) => [name, lastValue(occurrences[name] ?? [])]));
  return { kind: 'flags', container: argv[0] ?? '', argv, flags, occurrences, duplicates: names.filter((name) => (occurrences[name]?.length ?? 0) > 1) };
}
