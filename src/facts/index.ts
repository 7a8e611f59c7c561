/** The facts layer's public surface. */
export { gatherFacts, gatherCommand, type GatherOptions } from './gather-facts.js';
export { parseFacts } from './parse-facts.js';
export { GATHER_SCRIPT } from './gather-script.js';
export { flagOccurrences, flagValue, type FlagOccurrence } from './process-flags.js';
export { existsFollowing, normalizePath, textContent } from './path-lookup.js';
export type * from './types.js';
export { COMPONENTS } from './types.js';
export {
  journalArgs,
  journalComponentOf,
  journalLine,
  JOURNAL_COMPONENTS,
  type JournalComponent,
  type JournalFacts,
  type JournalLine,
} from './journal-lines.js';
