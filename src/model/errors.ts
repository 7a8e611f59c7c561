import { escapeName } from './escape-name.js';

/**
 * Errors say who must act (DESIGN.md §5). Only the command layer turns them
 * into exit codes; everything below throws one of these classes.
 *
 * Invariant: `message` is safe to print — it never contains secret material.
 */
export abstract class CisFixError extends Error {
  /** Exit code the command layer uses for this error (DESIGN.md §1). */
  abstract readonly exitCode: number;
  /** What the user should do next, one line each. */
  readonly hints: readonly string[];

  constructor(message: string, hints: readonly string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.hints = hints;
  }
}

/** Where in an input file a problem is: 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One problem in the user's input, with where it is and what to write instead. */
export interface InputProblem {
  readonly location: SourceLocation | undefined;
  readonly message: string;
  readonly fix: string | undefined;
}

export function formatInputProblem(problem: InputProblem): string {
  const where = problem.location ? `${problem.location.file}:${problem.location.line}:${problem.location.column}: ` : '';
  return `${where}${problem.message}${problem.fix ? `\n    ${problem.fix}` : ''}`;
}

/** Bad input (inventory, flags, plan file): the user must change what they gave us. */
export class UserError extends CisFixError {
  readonly exitCode = 1;
  readonly problems: readonly InputProblem[];

  constructor(message: string, problems: readonly InputProblem[] = [], hints: readonly string[] = []) {
    const details = problems.map((p) => `  ${formatInputProblem(p)}`).join('\n');
    super(details ? `${message}\n${details}` : message, hints);
    this.problems = problems;
  }
}

/** A node (or the API) could not be reached or refused us before anything changed. */
export class UnreachableError extends CisFixError {
  readonly exitCode = 1;
  /** The message without the node's name in front: for output that names the node already (never "worker-9: worker-9: …"). */
  readonly detail: string;
  constructor(
    readonly node: string,
    message: string,
    hints: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(`${node}: ${message}`, hints, options);
    this.detail = message;
  }
}

/**
 * The SSH host key of a node is unknown or has changed. Raised before any
 * authentication, so no credential was offered to the impostor.
 */
export class HostKeyError extends UnreachableError {
  constructor(
    node: string,
    readonly host: string,
    readonly fingerprint: string,
    readonly reason: 'unknown' | 'changed',
    readonly knownHostsFile: string,
  ) {
    super(
      node,
      reason === 'changed'
        ? `host key for ${host} has CHANGED (offered ${fingerprint}); refusing to connect`
        : `host key for ${host} is not in ${knownHostsFile} (offered ${fingerprint}); refusing to connect`,
      reason === 'changed'
        ? [
            `If the node was legitimately rebuilt, verify ${fingerprint} out of band, remove the old entry (ssh-keygen -R ${host} -f ${knownHostsFile}) and run 'cis-fix inventory check --accept-new-host-keys'.`,
          ]
        : [`Verify ${fingerprint} out of band, then run 'cis-fix inventory check --accept-new-host-keys' to record it.`],
    );
  }
}

/** sudo asked for a password (we always run `sudo -n`, which never waits). */
export class SudoError extends UnreachableError {
  constructor(node: string, user: string, detail: string) {
    super(node, `sudo -n failed for user ${user}: ${detail}`, [
      `Give ${user} passwordless sudo on this node (e.g. '${user} ALL=(ALL) NOPASSWD: ALL' in /etc/sudoers.d/), or set ssh.become: none and connect as root.`,
    ]);
  }
}

/** A saved plan no longer matches the nodes: nothing was changed. */
export class StalePlanError extends CisFixError {
  readonly exitCode = 1;
  constructor(readonly staleTargets: readonly string[]) {
    super(
      `The plan is stale: ${staleTargets.length} ${staleTargets.length === 1 ? 'target' : 'targets'} changed since it was made:\n${staleTargets.map((t) => `  ${escapeName(t)}`).join('\n')}`,
      ["Run 'cis-fix plan' again and review the new plan."],
    );
  }
}

/** cis-fix itself is wrong. Report it. */
export class BugError extends CisFixError {
  readonly exitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(`internal error: ${message}`, ['This is a bug in cis-fix; please report it with the command you ran.'], options);
  }
}

/** Exhaustiveness check for discriminated unions (DESIGN.md §5.3). */
export function assertNever(value: never, what = 'value'): never {
  throw new BugError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
