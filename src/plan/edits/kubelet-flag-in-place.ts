import type { FlagSite } from '../../evaluate/kubelet/flag-sites.js';
import type { KubeletCommandLine, WordSite } from '../../evaluate/kubelet/kubelet-command-line.js';
import { editableWordSite } from './kubelet-flag-edits.js';
import type { Splice } from './text-splice.js';

/**
 * A kubelet flag set where it stands on the command line (kube-bench sees
 * only the command line: kubelet/command-line-setting.ts). Pure.
 *
 * - An occurrence `--flag=old` gets its value rewritten in place: only the
 *   bytes of `old` change, so the file's quoting, the flag's position and
 *   every other byte stay as they were.
 * - A flag the command line lacks is appended to the environment-file
 *   variable that already carries the most flags (AKS: KUBELET_FLAGS in
 *   /etc/default/kubelet), after its last word and inside its quotes.
 * Values are only ever written when they need no quoting in any syntax
 * (unit line, quoted or bare environment value), so nothing is re-quoted.
 */
export type InPlaceFlagEdit =
  { readonly kind: 'edit'; readonly file: string; readonly splice: Splice; readonly summary: string } | { readonly kind: 'blocked'; readonly reason: string };

/** Characters that mean the same in a unit's ExecStart, a "double"-, 'single'-quoted or bare environment value. */
const PLAIN_WORD = /^[A-Za-z0-9_.,:/@%+=-]+$/;

/** Rewrites the value of one `--flag=value` occurrence to `newValue`, touching only the old value's bytes. */
export function rewriteFlagValue(flag: string, site: FlagSite, newValue: string, textOf: (file: string) => string): InPlaceFlagEdit {
  const word = site.words?.[0];
  if (word === undefined || site.words?.length !== 1)
    return { kind: 'blocked', reason: `cis-fix cannot tell which file puts ${flag} on the kubelet's command line` };
  if (site.occurrence.form !== 'equals')
    return { kind: 'blocked', reason: `${site.words.map((w) => w.text).join(' ')} is not written as ${flag}=VALUE; change it by hand` };
  if (!PLAIN_WORD.test(newValue)) return { kind: 'blocked', reason: `${flag}=${newValue} would need quoting; set it by hand` };
  const at = editableWordSite(word);
  if ('reason' in at) return { kind: 'blocked', reason: at.reason };
  const source = textOf(at.site.file).slice(at.site.span.start, at.site.span.end);
  // The word as written: bare, or wholly inside one pair of quotes; anything with escapes or inner quotes is left to a human.
  const quoted = source.length === word.text.length + 2 && /^(["']).*\1$/s.test(source) && source.slice(1, -1) === word.text;
  if (source !== word.text && !quoted) return { kind: 'blocked', reason: `${word.text} is written with quotes or escapes in ${at.where}; change it by hand` };
  const valueStart = at.site.span.start + (quoted ? 1 : 0) + word.text.indexOf('=') + 1;
  const valueEnd = at.site.span.end - (quoted ? 1 : 0);
  return {
    kind: 'edit',
    file: at.site.file,
    splice: { start: valueStart, end: valueEnd, insert: newValue },
    summary: `change ${word.text} to ${flag}=${newValue} in ${at.where}`,
  };
}

/**
 * Appends `word` (`--flag=value`) to the environment-file variable that
 * puts the most flags on the kubelet's command line (the last such
 * variable on a tie), after its last word.
 */
export function appendFlagWord(word: string, commandLine: KubeletCommandLine): InPlaceFlagEdit {
  if (!PLAIN_WORD.test(word)) return { kind: 'blocked', reason: `${word} would need quoting; add it by hand` };
  const counts = new Map<string, { flags: number; last: WordSite; file: string }>();
  for (const w of commandLine.words ?? []) {
    if (w.origin.kind !== 'variable' || w.origin.via !== 'EnvironmentFile') continue;
    const key = `${w.origin.site.file}\0${w.origin.variable}`;
    const entry = counts.get(key) ?? { flags: 0, last: w.origin.site, file: w.origin.site.file };
    counts.delete(key); // re-inserted, so that map order is the order of each variable's last word
    counts.set(key, { flags: entry.flags + (w.text.startsWith('--') ? 1 : 0), last: w.origin.site, file: entry.file });
  }
  let best: { key: string; flags: number; last: WordSite; file: string } | undefined;
  for (const [key, entry] of counts) if (entry.flags > 0 && (best === undefined || entry.flags >= best.flags)) best = { key, ...entry };
  if (best === undefined) {
    return { kind: 'blocked', reason: `no environment file variable puts flags on the kubelet's command line: add ${word} to its command line by hand` };
  }
  const variable = best.key.split('\0')[1] ?? '';
  const end = best.last.list[best.last.list.length - 1]?.end ?? best.last.span.end;
  return {
    kind: 'edit',
    file: best.file,
    splice: { start: end, end, insert: ` ${word}` },
    summary: `add ${word} to ${variable} (${best.file}:${best.last.line})`,
  };
}
