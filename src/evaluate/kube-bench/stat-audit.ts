import { existsFollowing, flagValue, normalizePath } from '../../facts/index.js';
import type { NodeFacts, PresentPath } from '../../facts/types.js';
import { globToRegExp } from '../../playbook/path-template.js';
import type { Benchmark, KubeBenchCheck, StatFormat, StatSelection } from '../../playbook/types.js';
import type { KubeBenchVerdict } from '../../model/finding.js';
import { resolveVariable } from '../resolve-variables.js';
import { testsPass } from './test-items.js';

/** Metadata overrides to simulate the node after a plan's changes. */
export type StatOverrides = ReadonlyMap<string, Partial<Pick<PresentPath, 'mode' | 'user' | 'group'>>>;

/**
 * The output of a kube-bench `stat` audit on this node, or `error` when the
 * audit command itself would fail (stat of a missing path). Pure.
 */
export function statAuditOutput(
  files: readonly StatSelection[],
  format: StatFormat,
  missingOutput: string | undefined,
  benchmark: Benchmark,
  facts: NodeFacts,
  overrides: StatOverrides = new Map(),
): { output: string } | { error: string } {
  const lines: string[] = [];
  for (const selection of files) {
    const paths = selectPaths(selection, benchmark, facts);
    if ('error' in paths) return paths;
    if (paths.paths.length === 0 && missingOutput !== undefined) lines.push(missingOutput);
    for (const path of paths.paths) {
      const entry = facts.paths[path];
      if (!entry?.exists) continue;
      lines.push(formatStat(format, { ...entry, ...(overrides.get(path) ?? {}) }));
    }
  }
  return { output: lines.join('\n') };
}

function selectPaths(selection: StatSelection, benchmark: Benchmark, facts: NodeFacts): { paths: string[] } | { error: string } {
  switch (selection.select) {
    case 'variable': {
      const variable = benchmark.variables[selection.variable];
      const [path] = variable ? resolveVariable(variable, facts) : [];
      if (!path || !existsFollowing(facts.paths, path)) return { paths: [] };
      if (selection.nameFilter && !globToRegExp(selection.nameFilter).test(path.split('/').pop() ?? '')) return { paths: [] };
      return { paths: [path] };
    }
    case 'path':
      return { paths: existsFollowing(facts.paths, selection.path) ? [normalizePath(selection.path)] : [] };
    case 'find':
      return { paths: findUnder(facts, selection.root, selection.minDepth ?? 0, selection.fileType, selection.name) };
    case 'process-flag': {
      const argv = facts.components[selection.process]?.argv;
      let path = argv ? flagValue(argv, selection.flag) : undefined;
      if (path === undefined || !existsFollowing(facts.paths, path)) {
        const fallback = selection.fallbackVariable ? benchmark.variables[selection.fallbackVariable] : undefined;
        path = fallback ? resolveVariable(fallback, facts)[0] : undefined;
      }
      if (path === undefined) return { paths: [] };
      path = normalizePath(path);
      if (!existsFollowing(facts.paths, path)) return selection.ifExists ? { paths: [] } : { error: `stat: cannot statx '${path}': No such file or directory` };
      return { paths: selection.contents ? findUnder(facts, path, 1, undefined, undefined) : [path] };
    }
    default: {
      const never: never = selection;
      return never;
    }
  }
}

/** `find ROOT [-mindepth N] [-type T] [-name GLOB]` over the gathered paths. */
function findUnder(facts: NodeFacts, root: string, minDepth: number, fileType: 'file' | 'directory' | undefined, name: string | undefined): string[] {
  const base = normalizePath(root);
  const namePattern = name ? globToRegExp(name) : undefined;
  return Object.entries(facts.paths)
    .filter(([path, entry]) => {
      if (!entry.exists) return false;
      if (path !== base && !path.startsWith(`${base}/`)) return false;
      const depth = path === base ? 0 : path.slice(base.length + 1).split('/').length;
      if (depth < minDepth) return false;
      if (fileType === 'file' && entry.type !== 'file') return false;
      if (fileType === 'directory' && entry.type !== 'dir') return false;
      return !namePattern || namePattern.test(path.split('/').pop() ?? '');
    })
    .map(([path]) => path)
    .sort();
}

function formatStat(format: StatFormat, entry: Pick<PresentPath, 'mode' | 'user' | 'group' | 'path'>): string {
  const user = entry.user ?? 'UNKNOWN';
  const group = entry.group ?? 'UNKNOWN';
  switch (format) {
    case 'permissions=%a':
      return `permissions=${entry.mode}`;
    case '%U:%G':
      return `${user}:${group}`;
    case 'ownership=%U:%G':
      return `ownership=${user}:${group}`;
    case 'ownership=%U:%G %n':
      return `ownership=${user}:${group} ${entry.path}`;
    case 'permissions=%a %n':
      return `permissions=${entry.mode} ${entry.path}`;
    default: {
      const never: never = format;
      return never;
    }
  }
}

/**
 * kube-bench's verdict (check.go run()) for a control whose audit is a
 * `stat`; undefined for other audits, which cis-fix does not reproduce yet.
 */
export function kubeBenchStatVerdict(check: KubeBenchCheck, benchmark: Benchmark, facts: NodeFacts, overrides?: StatOverrides): KubeBenchVerdict | undefined {
  if (check.type === 'manual') return 'WARN';
  if (check.type === 'skip') return 'INFO';
  if (!check.audit || check.audit.source !== 'stat' || !check.tests) return undefined;
  const failed: KubeBenchVerdict = check.scored ? 'FAIL' : 'WARN';
  const result = statAuditOutput(check.audit.files, check.audit.format, check.audit.missingOutput, benchmark, facts, overrides);
  if ('error' in result) return failed;
  return testsPass(check.tests, result.output, check.useMultipleValues) ? 'PASS' : failed;
}
