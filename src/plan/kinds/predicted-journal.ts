import { JOURNAL_COMPONENTS, type JournalComponent, type JournalFacts } from '../../facts/journal-lines.js';

/**
 * The journal lines a distribution will log after a restart with edited
 * command lines: k3s logs `Running <component> <args>` for each component
 * it runs inside its own process (journal-lines.ts), so kube-bench's journal
 * audits will read the new arguments. Each unit set's last line of an
 * edited component keeps its prefix (time, host, unit, logrus fields) and
 * gets the predicted arguments; lines of other components are kept. A unit
 * set without a line of the component keeps having none: the restarted
 * service logs where it logged before. Pure.
 *
 * `argv`: per edited component, its predicted command line (`[component,
 * ...args]`, as facts/journal-lines.ts `embeddedComponents` gives it).
 */
export function predictedJournals(
  journals: readonly JournalFacts[] | undefined,
  argv: ReadonlyMap<string, readonly string[]>,
): readonly JournalFacts[] | undefined {
  if (journals === undefined) return undefined;
  return journals.map((set) => {
    const lines = { ...set.lines };
    for (const component of JOURNAL_COMPONENTS) {
      const edited = argv.get(component);
      const line = lines[component];
      if (edited === undefined || line === undefined || line.truncated) continue;
      const text = predictedLine(line.text, component, edited.slice(1));
      if (text !== undefined) lines[component] = { text, truncated: false };
    }
    return { units: set.units, lines };
  });
}

/** `line` with the arguments after `Running <component> ` replaced; undefined when the line has no such marker. */
export function predictedLine(line: string, component: JournalComponent, args: readonly string[]): string | undefined {
  const marker = `Running ${component} `;
  const at = line.indexOf(marker);
  if (at < 0) return undefined;
  // logrus quotes msg="…" when it holds spaces: its closing quote ends the arguments (journalArgs).
  const quoted = line.endsWith('"');
  return `${line.slice(0, at + marker.length)}${args.join(' ')}${quoted ? '"' : ''}`;
}
