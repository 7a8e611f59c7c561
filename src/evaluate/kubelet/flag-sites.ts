import { flagOccurrences, type FlagOccurrence } from '../../facts/index.js';
import type { CommandLineWord, KubeletCommandLine } from './kubelet-command-line.js';

/**
 * The occurrences of a flag on the kubelet's command line, each with the
 * words (flag, and value for `--flag value`) that produce it in the unit
 * and environment files. Pure.
 */
export interface FlagSite {
  readonly occurrence: FlagOccurrence;
  /** The word holding the flag, and for `--flag value` the value word; undefined when argv cannot be attributed to the unit. */
  readonly words: readonly CommandLineWord[] | undefined;
}

export function flagSites(argv: readonly string[], flag: string, commandLine: KubeletCommandLine, attributable: boolean): FlagSite[] {
  return flagOccurrences(argv, flag).map((occurrence) => {
    if (!attributable || commandLine.words === undefined) return { occurrence, words: undefined };
    const count = occurrence.form === 'separate' ? 2 : 1;
    const words = commandLine.words.slice(occurrence.index, occurrence.index + count);
    return { occurrence, words: words.length === count ? words : undefined };
  });
}

/** `Gate=true,Other=false` as pairs; pflag's MapStringBool merges repeated --feature-gates, later entries winning. */
export function featureGatePairs(value: string | null): { gate: string; value: string }[] {
  return (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.includes('='))
    .map((e) => ({ gate: e.slice(0, e.indexOf('=')).trim(), value: e.slice(e.indexOf('=') + 1).trim() }));
}
