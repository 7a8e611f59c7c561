import { Command, Flags, type Interfaces } from '@oclif/core';
import { CisFixError } from '../../model/errors.js';
import type { NodeFailure } from '../../model/node-check.js';
import { escapeLines, escapeName } from '../../render/escape-name.js';
import { count } from '../../render/plan-overview.js';
import { colourWanted, createStyle, type Style } from '../../render/style.js';

/**
 * What every cis-fix command shares: `--json` (machine output on stdout and
 * nothing else there), NO_COLOR/non-TTY handling, and the one place where
 * errors become exit codes (DESIGN.md §1, §5.5).
 */
export abstract class CisFixCommand extends Command {
  static override enableJsonFlag = true;

  /** Styling for stdout (colour only on a TTY without NO_COLOR). */
  protected get style(): Style {
    return createStyle(!this.jsonEnabled() && colourWanted(process.stdout));
  }

  /** Styling for stderr, where errors, warnings and progress go. */
  protected get errStyle(): Style {
    return createStyle(colourWanted(process.stderr));
  }

  protected print(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  protected warnLine(text: string): void {
    process.stderr.write(`${this.errStyle.yellow('warning:')} ${escapeLines(text)}\n`);
  }

  /**
   * Nodes that could not be reached, on stderr: each named once with its
   * reason, then each distinct hint once (check the address, port,
   * firewall and bastion, then `cis-fix inventory check`).
   */
  protected warnUnreached(unreached: readonly { readonly node: string; readonly error: NodeFailure }[], consequence: string): void {
    if (unreached.length === 0) return;
    const s = this.errStyle;
    process.stderr.write(`${s.yellow('warning:')} ${count(unreached.length, 'node')} not reached, ${consequence}:\n`);
    for (const u of unreached) process.stderr.write(`  ${s.bold(escapeName(u.node))}: ${escapeName(u.error.message)}\n`);
    for (const hint of [...new Set(unreached.flatMap((u) => u.error.hints))]) process.stderr.write(`  ${s.dim('→')} ${escapeName(hint)}\n`);
    process.stderr.write(
      `  ${s.dim('→')} Make ${unreached.length === 1 ? 'it' : 'them'} reachable, or leave ${unreached.length === 1 ? 'it' : 'them'} out on purpose with --nodes.\n`,
    );
  }

  protected override async catch(err: Interfaces.CommandError): Promise<void> {
    if (err instanceof CisFixError) {
      process.exitCode = err.exitCode;
      if (this.jsonEnabled()) {
        this.logJson({ error: { name: err.name, message: err.message, hints: err.hints } });
      } else {
        const s = this.errStyle;
        // Messages may quote names from nodes: no control character reaches the terminal (line breaks are the message's own).
        process.stderr.write(`${s.red(s.bold('Error:'))} ${escapeLines(err.message)}\n`);
        for (const hint of err.hints) process.stderr.write(`  ${s.dim('→')} ${escapeLines(hint)}\n`);
      }
      return;
    }
    const oclifExit = (err as { oclif?: { exit?: number } }).oclif?.exit;
    // this.exit(n) and other deliberate exits pass through untouched.
    if (oclifExit !== undefined && oclifExit !== 2) throw err;
    if (oclifExit === 2) {
      // oclif's flag/argument errors are bad input: exit 1, not oclif's 2,
      // because 2 means "changes pending" in cis-fix's contract.
      process.exitCode = 1;
      if (this.jsonEnabled()) this.logJson({ error: { name: 'UserError', message: err.message, hints: [] } });
      else process.stderr.write(`Error: ${err.message}\n  → See '${this.config.bin} ${this.id ?? ''} --help'.\n`);
      return;
    }
    process.exitCode = 1;
    if (this.jsonEnabled()) this.logJson({ error: { name: 'BugError', message: err.message, hints: ['This is a bug in cis-fix; please report it.'] } });
    else process.stderr.write(`Error: internal error: ${err.stack ?? err.message}\nThis is a bug in cis-fix; please report it with the command you ran.\n`);
  }
}

/** `-i/--inventory`, shared by every command that talks to nodes. */
export const inventoryFlag = Flags.string({
  char: 'i',
  summary: 'Inventory file (see inventory.example.yaml).',
  default: 'inventory.yaml',
  env: 'CIS_FIX_INVENTORY',
});

export const concurrencyFlag = Flags.integer({
  summary: 'Nodes worked on in parallel.',
  default: 32,
  min: 1,
  max: 1024,
});
