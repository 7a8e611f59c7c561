import type { FlagSite } from '../../evaluate/kubelet/flag-sites.js';
import { featureGatePairs } from '../../evaluate/kubelet/flag-sites.js';
import type { CommandLineWord, WordSite } from '../../evaluate/kubelet/kubelet-command-line.js';
import type { Splice } from './text-splice.js';
import type { WordRemoval } from './kubelet-word-edits.js';
import { wordRemovalEdits } from './kubelet-word-edits.js';

/**
 * The text edits that take a flag (or one element of a list flag) off the
 * kubelet's command line, in the files that put it there. Pure.
 *
 * Each occurrence is edited where systemd read it: the environment file
 * assignment or `Environment=` that holds the variable, or the ExecStart
 * line itself. Nothing is ever added: cis-fix removes the overriding
 * source, it does not add a second one.
 */
export type FlagEditPlan =
  | { readonly kind: 'edits'; readonly byFile: ReadonlyMap<string, readonly Splice[]>; readonly summaries: ReadonlyMap<string, readonly string[]> }
  | { readonly kind: 'blocked'; readonly reasons: readonly string[] };

/** What to do with each occurrence: drop it, or rewrite its value (null: drop). */
export type OccurrenceRewrite = (site: FlagSite) => { readonly newValue: string | null } | undefined;

export function flagEdits(flag: string, sites: readonly FlagSite[], rewrite: OccurrenceRewrite, textOf: (file: string) => string): FlagEditPlan {
  const reasons: string[] = [];
  const removals = new Map<string, WordRemoval[]>();
  const replacements = new Map<string, Splice[]>();
  const summaries = new Map<string, string[]>();
  const note = (file: string, text: string): void => {
    summaries.set(file, [...(summaries.get(file) ?? []), text]);
  };
  for (const site of sites) {
    const action = rewrite(site);
    if (action === undefined) continue;
    const words = site.words;
    if (!words) {
      reasons.push(`cis-fix cannot tell which file puts ${flag} on the kubelet's command line`);
      continue;
    }
    const editable = words.map((w) => editableWordSite(w));
    const blocked = editable.find((e) => 'reason' in e);
    if (blocked && 'reason' in blocked) {
      reasons.push(blocked.reason);
      continue;
    }
    const sitesOf = editable as { site: WordSite; where: string }[];
    const first = sitesOf[0] as { site: WordSite; where: string };
    const shown = words.map((w) => w.text).join(' ');
    if (action.newValue === null) {
      for (const { site: wordSite } of sitesOf)
        removals.set(wordSite.file, [...(removals.get(wordSite.file) ?? []), { list: wordSite.list, index: wordSite.index }]);
      note(first.site.file, `remove ${shown} from ${first.where}`);
      continue;
    }
    // Rewriting needs the `--flag=value` form written plainly, so the new word can replace the old bytes one for one.
    const word = words[0] as CommandLineWord;
    if (site.occurrence.form !== 'equals' || words.length !== 1) {
      reasons.push(`${shown} in ${first.where} is not written as ${flag}=VALUE; change it by hand`);
      continue;
    }
    const replacement = `${flag}=${action.newValue}`;
    replacements.set(first.site.file, [
      ...(replacements.get(first.site.file) ?? []),
      { start: first.site.span.start, end: first.site.span.end, insert: replacement },
    ]);
    note(first.site.file, `change ${word.text} to ${replacement} in ${first.where}`);
  }
  if (reasons.length > 0) return { kind: 'blocked', reasons };
  const byFile = new Map<string, Splice[]>();
  for (const [file, list] of removals) byFile.set(file, [...wordRemovalEdits(textOf(file), list)]);
  for (const [file, list] of replacements) byFile.set(file, [...(byFile.get(file) ?? []), ...list]);
  return { kind: 'edits', byFile, summaries };
}

/** Where a command-line word can be edited (its unit line or variable assignment), or why it cannot. */
export function editableWordSite(word: CommandLineWord): { site: WordSite; where: string } | { reason: string } {
  const origin = word.origin;
  switch (origin.kind) {
    case 'exec-start':
      return { site: origin.site, where: `the ExecStart line of ${origin.site.file}:${origin.site.line}` };
    case 'variable':
      return { site: origin.site, where: `${origin.variable} (${origin.site.file}:${origin.site.line})` };
    case 'embedded':
      return {
        reason: `${word.text} is built from \${${origin.variables.join('}, ${')}} inside a larger word on ${origin.file}:${origin.line}; change it by hand`,
      };
    default: {
      const never: never = origin;
      return never;
    }
  }
}

/** Drop every occurrence. */
export const removeOccurrence: OccurrenceRewrite = () => ({ newValue: null });

/** Drop `element` from comma-separated list values; an occurrence left empty is dropped. */
export function withoutElement(element: string): OccurrenceRewrite {
  return (site) => {
    const items = (site.occurrence.value ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (!items.includes(element)) return undefined;
    const kept = items.filter((e) => e !== element);
    return { newValue: kept.length ? kept.join(',') : null };
  };
}

/** Drop every `Gate=…` pair of a --feature-gates value; an occurrence left empty is dropped. */
export function withoutFeatureGate(gate: string): OccurrenceRewrite {
  return (site) => {
    const pairs = featureGatePairs(site.occurrence.value);
    if (!pairs.some((p) => p.gate === gate)) return undefined;
    const kept = pairs.filter((p) => p.gate !== gate).map((p) => `${p.gate}=${p.value}`);
    return { newValue: kept.length ? kept.join(',') : null };
  };
}
