import { confirm } from '@inquirer/prompts';
import { UserError } from '../../model/errors.js';

/**
 * Ask before changing anything. Never prompts without a TTY (DESIGN.md §1):
 * then only `--yes` proceeds, and its absence is an error that changed nothing.
 */
export async function confirmOrRefuse(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError(
      'refusing to change anything without confirmation: there is no terminal to ask on',
      [],
      ['Review the output above, then run the same command with --yes.'],
    );
  }
  return confirm({ message: question, default: false });
}
