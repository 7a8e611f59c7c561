import { parseDocument } from 'yaml';
import { memoByText } from '../../facts/text-memo.js';
import { normalizePath } from '../../facts/index.js';
import type { NodeFacts } from '../../facts/types.js';
import type { KubeBenchVerdict } from '../../model/finding.js';
import type { KubeBenchCheck, KubeBenchTestItem } from '../../playbook/types.js';
import { compareValue, findFlagValue } from '../kube-bench/test-items.js';
import { evaluateJsonPath } from './kube-bench-jsonpath.js';

/**
 * kube-bench's verdict on a kubelet check (4.2.x), reproduced from the facts
 * (KUBE-BENCH-SEMANTICS.md, "How kube-bench checks kubelet settings"). Pure.
 *
 * The audit is `ps -fC kubelet`: a header plus the command line of every
 * process named exactly `kubelet`. For each test item, the flag is searched
 * in that output first (substring; value by kube-bench's regex, first
 * match); only when it is absent, and the audit_config output is not empty,
 * the jsonpath is evaluated on `cat $kubeletconf`, the FIRST EXISTING
 * candidate of kube-bench's list, which may not be the kubelet's --config.
 * A path counts as found only when it prints a non-empty string. A missing
 * config file gives empty output (the error is suppressed because `ps`
 * printed something); no kubelet process fails the audit.
 */
export interface KubeBenchItemResult {
  readonly keyword: string;
  /** Which output decided: the `ps` line, the config file, or neither (not found anywhere). */
  readonly source: 'flag' | 'config' | 'none';
  readonly found: boolean;
  readonly value: string;
  readonly passed: boolean;
  /** The config could not be parsed or the jsonpath failed: the item fails. */
  readonly error?: string;
}

export interface KubeBenchKubeletResult {
  /** undefined when the facts do not say enough (see `unknownBecause`). */
  readonly verdict: KubeBenchVerdict | undefined;
  readonly unknownBecause?: string;
  /** The file kube-bench cats for `path` items. */
  readonly configPath: string | undefined;
  readonly items: readonly KubeBenchItemResult[];
}

const PS_HEADER = 'UID          PID    PPID  C STIME TTY          TIME CMD';

/** What `ps -fC kubelet` prints on this node; undefined when no process is named kubelet (ps exits 1). */
export function kubeletPsOutput(facts: NodeFacts): string | undefined {
  const kubelets = facts.processes.filter((p) => p.comm === 'kubelet');
  if (kubelets.length === 0) return undefined;
  return [PS_HEADER, ...kubelets.map((p) => `root     ${String(p.pid).padStart(7)}       1  0 00:00 ?        00:00:00 ${p.argv.join(' ')}`)].join('\n');
}

/**
 * `configPath`: the file kube-bench cats; by default the node's $kubeletconf
 * as kube-bench resolves it (`resolvedPaths.kubeletConfig.kubeBenchPath`).
 */
export function kubeBenchKubeletVerdict(
  check: KubeBenchCheck,
  facts: NodeFacts,
  configPath: string = facts.resolvedPaths.kubeletConfig.kubeBenchPath,
): KubeBenchKubeletResult {
  if (check.type === 'manual') return { verdict: 'WARN', configPath: undefined, items: [] };
  if (check.type === 'skip') return { verdict: 'INFO', configPath: undefined, items: [] };
  const audit = check.audit;
  if (!audit || audit.source !== 'process' || audit.process !== 'kubelet' || !check.tests) {
    return { verdict: undefined, unknownBecause: 'not a kubelet command-line check', configPath: undefined, items: [] };
  }
  const failed: KubeBenchVerdict = check.scored ? 'FAIL' : 'WARN';
  const ps = kubeletPsOutput(facts);
  const usesConfig = audit.config !== undefined;
  if (ps === undefined) return { verdict: failed, configPath: usesConfig ? configPath : undefined, items: [] };
  let config: ConfigOutput = { kind: 'none' };
  if (usesConfig) {
    config = configOutput(facts, configPath);
    if (config.kind === 'unknown') return { verdict: undefined, unknownBecause: config.reason, configPath, items: [] };
    if (config.kind === 'error') return { verdict: failed, configPath, items: [] };
  }
  const items = check.tests.items.map((item) => evaluateItem(item, ps, config));
  const pass = check.tests.binOp === 'or' ? items.some((i) => i.passed) : items.every((i) => i.passed);
  return { verdict: pass ? 'PASS' : failed, configPath: usesConfig ? configPath : undefined, items };
}

/** What kube-bench's audit_config printed (shared with the journal audit, kube-bench/journal-audit.ts). */
export type ConfigOutput =
  | { readonly kind: 'none' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'error' }
  | { readonly kind: 'unknown'; readonly reason: string };

export function configOutput(facts: NodeFacts, path: string): ConfigOutput {
  const entry = facts.paths[normalizePath(path)];
  if (!entry) return { kind: 'unknown', reason: `cis-fix did not look at ${path}, the file kube-bench reads` };
  if (!entry.exists) return { kind: 'none' };
  const type = entry.followed?.type ?? entry.type;
  if (entry.type === 'symlink' && entry.followed === null) return { kind: 'none' };
  if (type === 'dir') return { kind: 'error' }; // cat: Is a directory — not the suppressed "No such file" error
  if (entry.content.kind !== 'text') return { kind: 'unknown', reason: `the content of ${path}, the file kube-bench reads, was not gathered` };
  return entry.content.text === '' ? { kind: 'none' } : { kind: 'text', text: entry.content.text };
}

function judge(item: KubeBenchTestItem, found: boolean, value: string): boolean {
  if (!item.set) return !found;
  if (!found) return false;
  return item.compare ? compareValue(item.compare.op, value, item.compare.value) : true;
}

export function evaluateItem(item: KubeBenchTestItem, ps: string, config: ConfigOutput): KubeBenchItemResult {
  const output = ps.replace(/[ \n]+$/, '');
  if (item.flag !== undefined) {
    const { found, value } = findFlagValue(output, item.flag);
    if (found) return { keyword: item.flag, source: 'flag', found, value, passed: judge(item, found, value) };
  }
  if (item.path !== undefined && config.kind === 'text') {
    const decoded = decodeConfig(config.text);
    if ('error' in decoded) return { keyword: item.path, source: 'config', found: false, value: '', passed: false, error: decoded.error };
    const result = evaluateJsonPath(item.path, decoded.data, decoded.numbers);
    if (!result.ok) return { keyword: item.path, source: 'config', found: false, value: '', passed: false, error: result.error };
    const found = result.text !== '';
    if (found) return { keyword: item.path, source: 'config', found, value: result.text, passed: judge(item, found, result.text) };
  }
  const keyword = item.flag ?? item.path ?? item.env ?? '';
  return { keyword, source: 'none', found: false, value: '', passed: judge(item, false, '') };
}

/** kube-bench's unmarshal(): encoding/json first (numbers are float64), else go-yaml v2 (YAML 1.1, integers stay integers). */
const decodeConfig = memoByText(decodeConfigText);

function decodeConfigText(text: string): { data: unknown; numbers: 'yaml' | 'json' } | { error: string } {
  try {
    return { data: JSON.parse(text) as unknown, numbers: 'json' };
  } catch {
    // not JSON: YAML
  }
  const document = parseDocument(text, { version: '1.1', uniqueKeys: true });
  if (document.errors.length > 0) return { error: `failed to load YAML or JSON: ${document.errors[0]?.message.split('\n')[0] ?? ''}` };
  return { data: document.toJS() as unknown, numbers: 'yaml' };
}
