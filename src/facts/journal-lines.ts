/**
 * k3s's journal, as kube-bench reads it (issue 13 §3). k3s runs the API
 * server, controller manager, scheduler, kubelet and kube-proxy inside its
 * one process and logs each one's command line when it starts it
 * (`level=info msg="Running kube-apiserver --advertise-port=6443 …"`,
 * pkg/daemons/executor). kube-bench's k3s-cis-1.9 audits read them back:
 * `journalctl -m -u k3s | grep 'Running kube-apiserver' | tail -n1`, and for
 * the node's components `journalctl -m -u k3s -u k3s-agent | …`.
 *
 * The node keeps, per unit set kube-bench queries and per component, only
 * the LAST line holding `Running <component>` (what `tail -n1` keeps), cut
 * at MAX_JOURNAL_LINE bytes, with the value of any flag whose name looks
 * like a credential replaced by JOURNAL_REDACTION_MARK unless it is an absolute
 * path, a boolean or a number (a `--token-auth-file` names a file,
 * `--use-service-account-credentials=true` is a switch; an
 * `--oidc-client-secret` is a secret). The parser checks the redaction again.
 *
 * The journal is read only on nodes that show k3s (JOURNAL_MARKER_PATHS):
 * a kubeadm node pays nothing.
 */

import type { Section } from './parse-sections.js';

/** The unit sets kube-bench's k3s audits pass to journalctl (`-u k3s`, `-u k3s -u k3s-agent`). */
export const JOURNAL_UNIT_SETS: readonly (readonly string[])[] = [['k3s'], ['k3s', 'k3s-agent']];

/** The components k3s logs a `Running <component> <args>` line for. */
export const JOURNAL_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'] as const;
export type JournalComponent = (typeof JOURNAL_COMPONENTS)[number];

/** Longest line kept (an API server line is a few KiB); a longer one is cut and said so. */
export const MAX_JOURNAL_LINE = 65536;

/** Paths whose presence makes the script read the journal (k3s's data and configuration directories). */
export const JOURNAL_MARKER_PATHS: readonly string[] = ['/var/lib/rancher/k3s', '/etc/rancher/k3s'];

/**
 * What stands for a withheld value in a journal line: one word (the line's
 * arguments are split on spaces), unlike the files' REDACTION_MARK.
 */
export const JOURNAL_REDACTION_MARK = '<redacted-by-cis-fix>';

/** Words in a flag name that mark a credential; a `-key` flag is one unless its value is a path. */
const SECRET_FLAG_WORDS = ['password', 'passwd', 'token', 'secret', 'credential', 'private', 'key'];

/** One unit set's lines. Invariant: `lines` has an entry only for a component whose line was found. */
export interface JournalFacts {
  /** The units, as passed to journalctl (`-u` each). */
  readonly units: readonly string[];
  readonly lines: Readonly<Partial<Record<JournalComponent, JournalLine>>>;
}

export interface JournalLine {
  /** The whole journal line as `journalctl -m` prints it (credential values redacted: JOURNAL_REDACTION_MARK). */
  readonly text: string;
  /** The line was longer than MAX_JOURNAL_LINE bytes and was cut there. */
  readonly truncated: boolean;
}

/** The unit set's word in the script and its section marker: units joined by `+`. */
export function unitSetWord(units: readonly string[]): string {
  return units.join('+');
}

/**
 * The awk program that reads journalctl's output and prints, for each
 * component, `component\0truncated\0line\0` of its last `Running` line.
 * Only what mawk, gawk and busybox awk share.
 */
export function journalAwkProgram(): string {
  const words = SECRET_FLAG_WORDS.join('|');
  return [
    `BEGIN { n = split("${JOURNAL_COMPONENTS.join(' ')}", comp, " "); MARK = "${JOURNAL_REDACTION_MARK}"; MAX = ${MAX_JOURNAL_LINE} }`,
    'function redact(s,   out, m, eq, val) {',
    '  out = ""',
    `  while (match(s, /[ "]--?[a-z0-9-]*(${words})[a-z0-9-]*=[^ "]*/)) {`,
    '    m = substr(s, RSTART, RLENGTH); eq = index(m, "=")',
    '    val = substr(m, eq + 1)',
    '    if (val != "" && substr(val, 1, 1) != "/" && val !~ /^(true|false|[0-9]+)$/) m = substr(m, 1, eq) MARK',
    '    out = out substr(s, 1, RSTART - 1) m',
    '    s = substr(s, RSTART + RLENGTH)',
    '  }',
    '  return out s',
    '}',
    '{',
    '  for (i = 1; i <= n; i++) if (index($0, "Running " comp[i]) > 0) { line[i] = $0; seen[i] = 1 }',
    '}',
    'END {',
    '  for (i = 1; i <= n; i++) {',
    '    if (!seen[i]) continue',
    '    t = 0; l = line[i]',
    '    if (length(l) > MAX) { l = substr(l, 1, MAX); t = 1 }',
    '    printf "%s%c%d%c%s%c", comp[i], 0, t, 0, redact(l), 0',
    '  }',
    '}',
  ].join('\n');
}

const SECRET_FLAG = new RegExp(`([ "]--?[a-z0-9-]*(?:${SECRET_FLAG_WORDS.join('|')})[a-z0-9-]*=)([^ "]*)`, 'g');

/** A journal line as it may leave the node: a credential flag's value replaced by the mark unless it is a path. */
export function redactJournalLine(line: string): string {
  return line.replace(SECRET_FLAG, (whole: string, name: string, value: string) =>
    value === '' || value.startsWith('/') || /^(true|false|[0-9]+)$/.test(value) || value === JOURNAL_REDACTION_MARK
      ? whole
      : `${name}${JOURNAL_REDACTION_MARK}`,
  );
}

function isComponent(name: string): name is JournalComponent {
  return (JOURNAL_COMPONENTS as readonly string[]).includes(name);
}

/** The `journal <units>` sections: one JournalFacts per unit set the node answered for; undefined when none (not a k3s node, or no journalctl). */
export function parseJournalSections(sections: readonly Section[]): readonly JournalFacts[] | undefined {
  const found = sections.filter((s) => s.name === 'journal');
  if (found.length === 0) return undefined;
  return found.map((section) => {
    const units = (section.args[0] ?? '').split('+').filter((u) => u !== '');
    const fields = section.payload.toString('utf8').split('\0');
    const lines: Partial<Record<JournalComponent, JournalLine>> = {};
    for (let i = 0; i + 2 < fields.length; i += 3) {
      const component = fields[i] ?? '';
      if (!isComponent(component)) throw new Error(`journal section names an unknown component ${JSON.stringify(component)}`);
      lines[component] = { text: redactJournalLine(fields[i + 2] ?? ''), truncated: fields[i + 1] === '1' };
    }
    return { units, lines };
  });
}

/** The last `Running <component>` line of `journalctl -m -u UNIT…` for exactly these units; undefined when the journal was not read. */
export function journalLine(
  journals: readonly JournalFacts[] | undefined,
  units: readonly string[],
  component: JournalComponent,
): { line: JournalLine | undefined } | undefined {
  const set = journals?.find((j) => unitSetWord(j.units) === unitSetWord(units));
  if (!set) return undefined;
  return { line: set.lines[component] };
}

/**
 * The arguments k3s logged for a component: the words after `Running
 * <component> ` up to the end of logrus's quoted `msg` (k3s joins the
 * sorted `--flag=value` arguments with single spaces). What the component
 * runs with now, for planners that must know k3s's defaults.
 */
export function journalArgs(line: string, component: JournalComponent): string[] | undefined {
  const marker = `Running ${component} `;
  const at = line.indexOf(marker);
  if (at < 0) return undefined;
  let rest = line.slice(at + marker.length);
  // logrus quotes msg="…" when it holds spaces; its closing quote ends the arguments.
  if (rest.endsWith('"')) rest = rest.slice(0, -1);
  return rest.split(' ').filter((w) => w !== '');
}

/** The component a `Running <component>` pattern names (kube-bench's grep word), when it is one k3s logs. */
export function journalComponentOf(pattern: string): JournalComponent | undefined {
  const m = /^Running (\S+)$/.exec(pattern.trim());
  return m && isComponent(m[1] ?? '') ? (m[1] as JournalComponent) : undefined;
}

/** The `comm` cis-fix gives a component that runs inside k3s (it has no process of its own: pid 0). */
export const EMBEDDED_COMM = 'k3s';

/**
 * The components k3s runs inside its own process, as its journal shows
 * them: one entry per component without a process of its own, pid 0, comm
 * EMBEDDED_COMM, argv `[component, ...the logged arguments]`. From the
 * widest unit set (`-u k3s -u k3s-agent`): the newest line of each. They go
 * into `NodeFacts.components` (what configures and runs), never into
 * `processes` (what `ps` shows, which kube-bench's process audits read).
 */
export function embeddedComponents(
  journals: readonly JournalFacts[] | undefined,
  running: Readonly<Partial<Record<string, unknown>>>,
): Partial<Record<JournalComponent, { pid: 0; comm: string; component: JournalComponent; argv: string[]; environment: Record<string, string> }>> {
  const widest = [...(journals ?? [])].sort((a, b) => b.units.length - a.units.length)[0];
  const out: Partial<Record<JournalComponent, { pid: 0; comm: string; component: JournalComponent; argv: string[]; environment: Record<string, string> }>> = {};
  if (!widest) return out;
  for (const component of JOURNAL_COMPONENTS) {
    const line = widest.lines[component];
    if (!line || line.truncated || running[component] !== undefined) continue;
    const args = journalArgs(line.text, component);
    if (args) out[component] = { pid: 0, comm: EMBEDDED_COMM, component, argv: [component, ...args], environment: {} };
  }
  return out;
}
