import { existsFollowing, normalizePath } from '../../facts/index.js';
import { expandUnitSpecifiers } from '../../facts/kubelet-service.js';
import type { KubeletServiceFacts, NodeFacts, PathFacts } from '../../facts/types.js';
import { parseEnvironmentFile } from './environment-file.js';
import { kubeletProblem, type KubeletProblem } from './kubelet-problem.js';
import { lineOf, sourcedTail, type SourcedText, type Span } from './sourced-text.js';
import { splitWords } from './systemd-words.js';
import { parseUnitDirectives } from './unit-directives.js';

/**
 * The kubelet's command line as systemd would start it now, rebuilt from the
 * unit, its drop-ins and environment files, with the file, line and bytes
 * each word comes from. Pure.
 *
 * systemd semantics (systemd.service(5), systemd.exec(5)):
 * - the unit file, then drop-ins in file-name order; `ExecStart=` (empty)
 *   resets the list, and a non-oneshot service must end with exactly one;
 * - `Environment=` assignments accumulate, a later one wins, an empty one
 *   resets; `EnvironmentFile=` files are read in order AFTER all of them and
 *   override them, a later file winning;
 * - on the ExecStart line, a word that is exactly `$VAR` becomes the value
 *   split at whitespace (zero or more words), `${VAR}` is replaced in place
 *   and stays one word, `$$` is a literal `$`; unset variables are empty.
 */

/**
 * Where on disk a word can be edited. Invariant: `list[index]` is `span`;
 * `list` is every word of the same ExecStart line or variable value, in
 * order, so that removing a word can take exactly one separator with it.
 */
export interface WordSite {
  readonly file: string;
  /** 1-based line of the word's first character. */
  readonly line: number;
  readonly span: Span;
  readonly list: readonly Span[];
  readonly index: number;
}

export type WordOrigin =
  /** Written literally on the ExecStart line. */
  | { readonly kind: 'exec-start'; readonly site: WordSite }
  /** One word of `$VAR` (or the whole of `${VAR}`), assigned in `site.file`. */
  | { readonly kind: 'variable'; readonly variable: string; readonly via: 'Environment' | 'EnvironmentFile'; readonly site: WordSite }
  /** Built from literal text and `${VAR}`s: cis-fix reads it but does not edit it. */
  | { readonly kind: 'embedded'; readonly file: string; readonly line: number; readonly variables: readonly string[] };

export interface CommandLineWord {
  readonly text: string;
  readonly origin: WordOrigin;
}

/** A variable as systemd would pass it: its final value and where that was assigned. */
export interface VariableAssignment {
  readonly name: string;
  readonly value: SourcedText;
  readonly file: string;
  readonly line: number;
  readonly via: 'Environment' | 'EnvironmentFile';
}

export interface KubeletCommandLine {
  /** argv (argv[0] included) as systemd would start the kubelet now; undefined when that cannot be known (see problems). */
  readonly words: readonly CommandLineWord[] | undefined;
  /** The ExecStart= in effect. */
  readonly execStart: { readonly file: string; readonly line: number } | undefined;
  /** Every variable in the kubelet's environment, by name. */
  readonly variables: ReadonlyMap<string, VariableAssignment>;
  /** Files read, in the order systemd reads them (unit, drop-ins, environment files). */
  readonly files: readonly string[];
  readonly problems: readonly KubeletProblem[];
}

interface ExecStartLine {
  readonly file: string;
  readonly line: number;
  readonly value: SourcedText;
}

function gatheredText(facts: NodeFacts, path: string, what = 'kubelet'): { text: string } | { problem: KubeletProblem } | undefined {
  const entry: PathFacts | undefined = facts.paths[normalizePath(path)];
  if (!entry?.exists) return undefined;
  if (entry.content.kind === 'text') return { text: entry.content.text };
  const why = entry.content.kind === 'withheld' ? `withheld (${entry.content.reason})` : 'not gathered';
  return { problem: kubeletProblem('unreadable', `${path} exists but its content was ${why}: cis-fix cannot tell which ${what} flags it sets`, path) };
}

export function reconstructKubeletCommandLine(facts: NodeFacts): KubeletCommandLine {
  return reconstructServiceCommandLine(facts, facts.kubeletService, 'kubelet.service');
}

/** The same for any systemd service (etcd run by systemd: etcd-service), from its resolved unit, drop-ins and environment files. */
export function reconstructServiceCommandLine(facts: NodeFacts, service: KubeletServiceFacts, unitName: string): KubeletCommandLine {
  const what = unitName.replace(/\.service$/, '');
  const problems: KubeletProblem[] = [];
  const variables = new Map<string, VariableAssignment>();
  const files: string[] = [];
  const fail = (): KubeletCommandLine => ({ words: undefined, execStart: undefined, variables, files, problems });
  if (service.unitFile === null) {
    problems.push(kubeletProblem('no-unit', `no ${unitName} unit file was found: cis-fix cannot tell which flags systemd passes to the ${what}`));
    return fail();
  }
  let execStarts: ExecStartLine[] = [];
  const environmentFiles: { path: string; optional: boolean; declaredIn: string }[] = [];
  for (const file of [service.unitFile, ...service.dropIns.map((d) => d.path)]) {
    const text = gatheredText(facts, file, what);
    if (text === undefined) continue;
    if ('problem' in text) {
      problems.push(text.problem);
      return fail();
    }
    files.push(file);
    for (const directive of parseUnitDirectives(text.text)) {
      if (directive.section !== 'Service') continue;
      switch (directive.key) {
        case 'ExecStart':
          if (directive.value.text === '') execStarts = [];
          else execStarts.push({ file, line: directive.line, value: directive.value });
          break;
        case 'Environment':
          if (directive.value.text === '') {
            for (const [name, assignment] of variables) if (assignment.via === 'Environment') variables.delete(name);
            break;
          }
          for (const word of splitWords(directive.value, 'unit')) {
            const eq = word.text.indexOf('=');
            if (eq <= 0) continue;
            const name = word.text.slice(0, eq);
            variables.set(name, { name, value: sourcedTail(word.chars, eq + 1), file, line: lineOf(text.text, word.span.start), via: 'Environment' });
          }
          break;
        case 'EnvironmentFile': {
          if (directive.value.text === '') {
            environmentFiles.length = 0;
            break;
          }
          const optional = directive.value.text.startsWith('-');
          const path = expandUnitSpecifiers(directive.value.text.slice(optional ? 1 : 0).replace(/^"(.*)"$/, '$1'), unitName);
          environmentFiles.push({ path, optional, declaredIn: file });
          break;
        }
        default:
          break;
      }
    }
  }
  for (const envFile of environmentFiles) {
    if (!existsFollowing(facts.paths, envFile.path)) {
      if (!envFile.optional) {
        problems.push(
          kubeletProblem(
            'missing-environment-file',
            `${envFile.declaredIn} names EnvironmentFile=${envFile.path}, which does not exist: systemd would refuse to start the ${what}`,
            envFile.path,
          ),
        );
      }
      continue;
    }
    const text = gatheredText(facts, envFile.path, what);
    if (text === undefined) continue;
    if ('problem' in text) {
      problems.push(text.problem);
      return fail();
    }
    files.push(envFile.path);
    for (const assignment of parseEnvironmentFile(text.text)) {
      variables.set(assignment.name, { name: assignment.name, value: assignment.value, file: envFile.path, line: assignment.line, via: 'EnvironmentFile' });
    }
  }
  if (execStarts.length === 0) {
    problems.push(kubeletProblem('no-exec-start', `no ExecStart= is in effect for the ${what} (${files.join(', ')})`));
    return fail();
  }
  if (execStarts.length > 1) {
    const where = execStarts.map((e) => `${e.file}:${e.line}`).join(', ');
    problems.push(
      kubeletProblem(
        'multiple-exec-start',
        `more than one ExecStart= is in effect (${where}); systemd refuses such a service unless a drop-in resets it with an empty ExecStart=`,
      ),
    );
    return fail();
  }
  const execStart = execStarts[0] as ExecStartLine;
  const unitText = gatheredText(facts, execStart.file);
  const sourceText = unitText && 'text' in unitText ? unitText.text : '';
  const words = expandExecStart(execStart, sourceText, variables, (file) => {
    const t = gatheredText(facts, file);
    return t && 'text' in t ? t.text : '';
  });
  return { words, execStart: { file: execStart.file, line: execStart.line }, variables, files, problems };
}

const WHOLE_VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;
const BRACED = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\$/g;

function expandExecStart(
  execStart: ExecStartLine,
  unitText: string,
  variables: ReadonlyMap<string, VariableAssignment>,
  textOf: (file: string) => string,
): CommandLineWord[] {
  let lineWords = splitWords(execStart.value, 'unit');
  // Prefixes (systemd.service(5) table 1): `@` passes the second word as argv[0]; the others change privileges or error handling.
  const first = lineWords[0];
  let argv0Override = false;
  if (first) {
    const prefix = /^[-@:+!]+/.exec(first.text)?.[0] ?? '';
    if (prefix !== '') {
      argv0Override = prefix.includes('@');
      const stripped = first.text.slice(prefix.length);
      lineWords = [
        { text: stripped, span: { start: first.span.start + prefix.length, end: first.span.end }, chars: sourcedTail(first.chars, prefix.length) },
        ...lineWords.slice(1),
      ];
      if (stripped === '') lineWords = lineWords.slice(1);
    }
  }
  if (argv0Override) lineWords = lineWords.slice(1);
  const lineSpans = lineWords.map((w) => w.span);
  const out: CommandLineWord[] = [];
  lineWords.forEach((word, index) => {
    const site: WordSite = { file: execStart.file, line: lineOf(unitText, word.span.start), span: word.span, list: lineSpans, index };
    const whole = WHOLE_VARIABLE.exec(word.text);
    if (whole && index > 0) {
      const assignment = variables.get(whole[1] ?? '');
      if (!assignment) return;
      const valueWords = splitWords(assignment.value, 'variable');
      const fileText = textOf(assignment.file);
      const spans = valueWords.map((w) => w.span);
      valueWords.forEach((vw, vi) => {
        out.push({
          text: vw.text,
          origin: {
            kind: 'variable',
            variable: assignment.name,
            via: assignment.via,
            site: { file: assignment.file, line: lineOf(fileText, vw.span.start), span: vw.span, list: spans, index: vi },
          },
        });
      });
      return;
    }
    if (!word.text.includes('$')) {
      out.push({ text: word.text, origin: { kind: 'exec-start', site } });
      return;
    }
    const used: string[] = [];
    const text = word.text.replace(BRACED, (match, name: string | undefined) => {
      if (match === '$$') return '$';
      used.push(name ?? '');
      return variables.get(name ?? '')?.value.text ?? '';
    });
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(word.text);
    const assignment = braced ? variables.get(braced[1] ?? '') : undefined;
    if (assignment && assignment.value.text !== '') {
      // `${VAR}` alone: one word, exactly the variable's value.
      const first = assignment.value.offsets[0] ?? 0;
      const last = assignment.value.offsets[assignment.value.offsets.length - 1] ?? first;
      const span = { start: first, end: last + 1 };
      const fileText = textOf(assignment.file);
      out.push({
        text,
        origin: {
          kind: 'variable',
          variable: assignment.name,
          via: assignment.via,
          site: { file: assignment.file, line: lineOf(fileText, first), span, list: [span], index: 0 },
        },
      });
    } else if (used.length === 0) {
      out.push({ text, origin: { kind: 'exec-start', site } });
    } else {
      out.push({ text, origin: { kind: 'embedded', file: execStart.file, line: site.line, variables: used } });
    }
  });
  return out;
}
