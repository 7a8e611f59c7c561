import type { CompareOp, KubeBenchTestItem, KubeBenchTests } from '../../playbook/types.js';

/**
 * kube-bench's test engine (check/test.go, check.go execute()), for the
 * `flag` and `env` keyword sources: given the audit outputs, does each test
 * item pass, and do they pass together? Pure; reproduces kube-bench's quirks
 * on purpose (substring presence, first-match value regex, unanchored env
 * search, integer-only comparisons), because a user judges cis-fix by
 * kube-bench's verdict.
 */

/** `(<flag>)(=|: *)*([^\s]*) *`, first match; a bare flag reads as "true". */
export function findFlagValue(output: string, flag: string): { found: boolean; value: string } {
  if (!output.includes(flag)) return { found: false, value: '' };
  // kube-bench inserts the flag unescaped; cis-1.11/1.12 flags hold no regex metacharacters but escape to be safe.
  const match = new RegExp(`(${escapeRegExp(flag)})(=|: *)*([^\\s]*) *`).exec(output);
  if (!match) return { found: true, value: '' };
  const value = match[3] ?? '';
  if (flag.startsWith('--') && value === '') return { found: true, value: 'true' };
  return { found: true, value: value === '' ? flag : value };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compareValue(op: CompareOp, found: string, expected: string): boolean {
  switch (op) {
    case 'eq':
      return isBool(found) ? found.toLowerCase() === expected : found === expected;
    case 'noteq':
      return !(isBool(found) ? found.toLowerCase() === expected : found === expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const a = toInt(found);
      const b = toInt(expected);
      if (a === undefined || b === undefined) return false;
      return op === 'gt' ? a > b : op === 'gte' ? a >= b : op === 'lt' ? a < b : a <= b;
    }
    case 'has':
      return found.includes(expected);
    case 'nothave':
      return !found.includes(expected);
    case 'bitmask': {
      const actual = toOctal(found);
      const mask = toOctal(expected);
      if (actual === undefined || mask === undefined) return false;
      return (mask & actual) === actual;
    }
    case 'valid_elements': {
      const split = (s: string) =>
        s
          .split(',')
          .map((e) => e.trim())
          .filter((e, i, all) => !(e === '' && i === all.length - 1));
      const have = found.trim() === '' ? [] : split(found);
      const allowed = expected.trim() === '' ? [] : split(expected);
      if (have.length === 0 && allowed.length === 0) return true;
      if (have.length === 0 || allowed.length === 0) return false;
      return have.every((e) => allowed.includes(e));
    }
    case 'regex':
      return new RegExp(expected).test(found);
    case 'noteqx':
      return false; // not an op kube-bench knows (a typo in its k3s-cis-1.9): such an item never passes
    default: {
      const never: never = op;
      return never;
    }
  }
}

function isBool(value: string): boolean {
  const lower = value.toLowerCase();
  return lower === 'true' || lower === 'false';
}

function toInt(value: string): number | undefined {
  const trimmed = value.trim();
  return /^[+-]?\d+$/.test(trimmed) ? Number.parseInt(trimmed, 10) : undefined;
}

function toOctal(value: string): number | undefined {
  return /^[0-7]+$/.test(value.trim()) ? Number.parseInt(value.trim(), 8) : undefined;
}

/**
 * envTestItem.findValue: the first match of `<env>=.*(?:$|\n)` anywhere in
 * the output (unanchored, so `MY_ETCD_AUTO_TLS=` counts for ETCD_AUTO_TLS),
 * minus its first newline and its first `<env>=`; found iff what is left is
 * not empty.
 */
export function findEnvValue(output: string, env: string): { found: boolean; value: string } {
  if (output === '' || env === '') return { found: false, value: '' };
  // Go's `.` stops at \n only; JavaScript's also at \r, U+2028 and U+2029.
  const match = new RegExp(`${escapeRegExp(env)}=[^\\n]*(?:$|\\n)`).exec(output);
  const value = (match?.[0] ?? '').replace('\n', '').replace(`${env}=`, '');
  return { found: value !== '', value };
}

/** Where an item's keyword is looked for: the audit output (`flag`) or the audit_env output (`env`). */
export type KeywordSource = 'flag' | 'env';

/** testItem.evaluate on one row: whether it passes, and whether the keyword was found (which decides the fallback). */
function evaluateRow(item: KubeBenchTestItem, row: string, source: KeywordSource): { pass: boolean; found: boolean } {
  const keyword = source === 'flag' ? item.flag : item.env;
  const { found, value } =
    keyword === undefined
      ? { found: false, value: '' }
      : source === 'flag'
        ? row === ''
          ? { found: false, value: '' }
          : findFlagValue(row, keyword)
        : findEnvValue(row, keyword);
  if (!item.set) return { pass: !found, found };
  if (!found) return { pass: false, found };
  return { pass: item.compare ? compareValue(item.compare.op, value, item.compare.value) : true, found };
}

/**
 * testItem.execute: the output with trailing spaces and newlines trimmed;
 * with use_multiple_values every row must pass, stopping at the first that
 * fails (whose `found` is then the result's).
 */
export function executeItem(item: KubeBenchTestItem, output: string, multipleValues: boolean, source: KeywordSource): { pass: boolean; found: boolean } {
  const trimmed = output.replace(/[ \n]+$/, '');
  const rows = multipleValues ? trimmed.split('\n') : [trimmed];
  let result = { pass: false, found: false };
  for (const row of rows) {
    result = evaluateRow(item, row, source);
    if (!result.pass) break;
  }
  return result;
}

/** One item against one piece of output (flag source only). */
export function testItemPasses(item: KubeBenchTestItem, output: string): boolean {
  if (item.flag === undefined) return false;
  const { found, value } = findFlagValue(output, item.flag);
  if (!item.set) return !found;
  if (!found) return false;
  return item.compare ? compareValue(item.compare.op, value, item.compare.value) : true;
}

/**
 * All items combined with bin_op; with use_multiple_values each item must
 * pass on every line (empty output is one empty line).
 */
export function testsPass(tests: KubeBenchTests, output: string, useMultipleValues: boolean): boolean {
  const lines = useMultipleValues ? output.replace(/\n$/, '').split('\n') : [output];
  const results = tests.items.map((item) => lines.every((line) => testItemPasses(item, line)));
  return tests.binOp === 'or' ? results.some(Boolean) : results.every(Boolean);
}
