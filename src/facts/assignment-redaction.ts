import { REDACTION_MARK } from './content-policy.js';
import { isSecretEnvName } from './environment-policy.js';

/**
 * Credentials in `NAME=value` assignments of gathered configuration files:
 * environment files (`/etc/default/etcd`, `/etc/etcd/etcd.conf`, the
 * kubelet's), commented or `export`ed, and the words of a systemd
 * `Environment=` line. Their value is replaced by REDACTION_MARK on the node
 * (the redaction program, gather-script.ts) and again by the parser
 * (parse-facts.ts), so that `cis-fix facts --json`, a plan's diff or a log
 * never holds one. A redacted file is not verbatim, so cis-fix never edits it.
 *
 * A credential is a variable whose name looks like one (environment-policy.ts),
 * except:
 * - NOT_SECRET_NAMES: etcd's --initial-cluster-token only keeps clusters
 *   bootstrapped side by side apart (etcd's configuration docs); RHEL's
 *   etcd.conf carries it commented out and kubespray's /etc/etcd.env assigns it;
 * - a `*KEY` variable whose value is a file name (kubespray's
 *   `ETCDCTL_KEY=/etc/ssl/etcd/ssl/admin-<node>-key.pem`): an absolute path
 *   ending in an extension. base64 key material may begin with `/` but never
 *   holds a `.`, so it never passes for one.
 */
export const NOT_SECRET_NAMES: readonly string[] = ['ETCD_INITIAL_CLUSTER_TOKEN'];

/** A file name, as an ERE both JavaScript and awk read (inside awk's `/…/`, `/` is escaped). */
export const FILE_NAME_ERE = '^/[A-Za-z0-9._/-]*\\.[A-Za-z0-9]+$';
const FILE_NAME = new RegExp(FILE_NAME_ERE);

/** Whether the assignment `name=value` (value as written, quotes included) holds a credential to withhold. */
export function isSecretAssignment(name: string, value: string): boolean {
  if (!isSecretEnvName(name) || NOT_SECRET_NAMES.includes(name.toUpperCase())) return false;
  const bare = value.replace(/^["']/, '').replace(/["']$/, '');
  if (bare === '' || bare === REDACTION_MARK) return false;
  return !(/KEY$/i.test(name) && FILE_NAME.test(bare));
}

const ASSIGNMENT = /^[ \t]*#?[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=/;
const ENVIRONMENT_LINE = /^[ \t]*Environment=/;
const ENVIRONMENT_WORD = /(^|[ \t"])([A-Za-z_][A-Za-z0-9_]*)=/;

/** One line with every credential's value replaced, as the node's redaction program does it; `found` collects their names. */
export function redactAssignmentLine(line: string, found: string[] = []): string {
  let redacted = line;
  const environment = ENVIRONMENT_LINE.exec(redacted);
  if (environment) {
    let out = environment[0];
    let rest = redacted.slice(out.length);
    for (let word = ENVIRONMENT_WORD.exec(rest); word; word = ENVIRONMENT_WORD.exec(rest)) {
      const quoted = word[1] === '"';
      out += rest.slice(0, word.index + word[0].length);
      rest = rest.slice(word.index + word[0].length);
      // The mark holds spaces: an unquoted word already redacted is the mark whole (the parser re-reads the node's output).
      const value = !quoted && rest.startsWith(REDACTION_MARK) ? REDACTION_MARK : (quoted ? /^[^"]*/ : /^[^ \t"]*/).exec(rest)![0];
      const secret = isSecretAssignment(word[2]!, value);
      if (secret) found.push(word[2]!);
      out += secret ? REDACTION_MARK : value;
      rest = rest.slice(value.length);
    }
    redacted = out + rest;
  }
  const assignment = ASSIGNMENT.exec(redacted);
  if (assignment && isSecretAssignment(assignment[1]!, redacted.slice(assignment[0].length))) {
    found.push(assignment[1]!);
    return assignment[0] + REDACTION_MARK;
  }
  return redacted;
}

/** The first variable a text assigns a credential to, commented or not (what the rule above would withhold); undefined when none. */
export function firstCredentialName(text: string): string | undefined {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    redactAssignmentLine(line, found);
    if (found.length > 0) return found[0];
  }
  return undefined;
}

/** A file's text with every credential assignment redacted (unchanged when it holds none). */
export function redactAssignments(text: string): string {
  return text
    .split('\n')
    .map((line) => redactAssignmentLine(line))
    .join('\n');
}
