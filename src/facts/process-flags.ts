/**
 * Reading flags from a component's argv the way the component does. Pure.
 *
 * Kubernetes components parse with pflag: `--flag=value` and `--flag value`
 * are the same, and for a repeated scalar flag the LAST occurrence wins.
 * etcd (Go's flag package) also accepts a single dash, `-data-dir=…`.
 * Note that kube-bench reads the FIRST `--flag=value` occurrence and does
 * not understand `--flag value`; evaluation that must mirror kube-bench
 * uses `flagOccurrences` and picks itself.
 */

/** One occurrence of a flag. `value` is null for a bare `--flag`. */
export interface FlagOccurrence {
  readonly index: number;
  readonly form: 'equals' | 'separate' | 'bare';
  readonly value: string | null;
}

function normalise(arg: string): string {
  // `-data-dir` (Go flag) is `--data-dir`; `-v` stays a shorthand.
  return /^-[a-z][a-z0-9-]+(=|$)/i.test(arg) && !arg.startsWith('--') ? `-${arg}` : arg;
}

/** Every occurrence of `name` ("--config") in argv, skipping argv[0]. */
export function flagOccurrences(argv: readonly string[], name: string): FlagOccurrence[] {
  const found: FlagOccurrence[] = [];
  for (let i = 1; i < argv.length; i += 1) {
    const arg = normalise(argv[i] ?? '');
    if (arg.startsWith(`${name}=`)) {
      found.push({ index: i, form: 'equals', value: arg.slice(name.length + 1) });
    } else if (arg === name) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        found.push({ index: i, form: 'separate', value: next });
        i += 1;
      } else {
        found.push({ index: i, form: 'bare', value: null });
      }
    }
  }
  return found;
}

/** The value the component uses: the last occurrence that has one. */
export function flagValue(argv: readonly string[], name: string): string | undefined {
  const withValue = flagOccurrences(argv, name).filter((o) => o.value !== null);
  return withValue[withValue.length - 1]?.value ?? undefined;
}
