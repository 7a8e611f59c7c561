import { parse as parseYaml } from 'yaml';
import { memoByText } from '../facts/text-memo.js';

/** Read-only results, shared (see text-memo.ts). */
const parseYamlOnce = memoByText((text: string): unknown => {
  try {
    return parseYaml(text) as unknown;
  } catch {
    return undefined;
  }
});
import { existsFollowing, flagValue, normalizePath, textContent } from '../facts/index.js';
import type { NodeFacts } from '../facts/types.js';
import { globToRegExp, isGlob } from '../playbook/path-template.js';
import type { Benchmark, PathVariable, ProcessName } from '../playbook/types.js';

/**
 * Resolve a playbook path variable on one node (playbooks/README.md): the
 * `from` sources in order, then the candidates; `first` takes the first that
 * exists (else the default, used even when absent, as kube-bench does);
 * `all` takes every one that exists. Pure: reads only the facts.
 */
export function resolveVariable(variable: PathVariable, facts: NodeFacts): string[] {
  const found: string[] = [];
  const take = (path: string | undefined): boolean => {
    if (path === undefined || path === '') return false;
    const normalized = normalizePath(path);
    if (!existsFollowing(facts.paths, normalized)) return false;
    if (!found.includes(normalized)) found.push(normalized);
    return variable.resolve === 'first';
  };
  for (const source of variable.from) {
    const value = source.type === 'process-flag' ? processFlag(facts, source.process, source.flag) : kubeletConfigValue(facts, source.key);
    if (take(value)) return found;
  }
  for (const candidate of variable.candidates) {
    if (isGlob(candidate)) {
      const pattern = globToRegExp(candidate);
      for (const path of Object.keys(facts.paths).sort()) if (pattern.test(path)) take(path);
    } else if (take(candidate)) {
      return found;
    }
  }
  if (variable.resolve === 'first') return found.length ? found.slice(0, 1) : variable.default ? [normalizePath(variable.default)] : [];
  return found;
}

/** Every variable of the benchmark resolved on a node. */
export function resolveAllVariables(benchmark: Benchmark, facts: NodeFacts): Record<string, string[]> {
  return Object.fromEntries(Object.values(benchmark.variables).map((v) => [v.name, resolveVariable(v, facts)]));
}

function processFlag(facts: NodeFacts, process: ProcessName, flag: string): string | undefined {
  const argv = facts.components[process]?.argv;
  return argv ? flagValue(argv, flag) : undefined;
}

/** A dotted key of the KubeletConfiguration the running kubelet uses. */
function kubeletConfigValue(facts: NodeFacts, key: string): string | undefined {
  const configPath = facts.resolvedPaths.kubeletConfig.path;
  const text = textContent(facts.paths, configPath);
  if (text === undefined) return undefined;
  let cursor: unknown = parseYamlOnce(text);
  for (const part of key.split('.')) {
    if (cursor === null || typeof cursor !== 'object') return undefined;
    cursor = (cursor as Record<string, unknown>)[part];
  }
  return typeof cursor === 'string' ? cursor : undefined;
}
