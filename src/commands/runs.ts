import { listJournals } from '../apply/journal.js';
import { renderRuns } from '../render/runs.js';
import { CisFixCommand } from './_shared/base-command.js';

export default class Runs extends CisFixCommand {
  static override summary = 'List apply and rollback runs recorded in the state directory, newest first.';
  static override examples = ['<%= config.bin %> runs', '<%= config.bin %> runs --json'];

  async run() {
    await this.parse(Runs);
    const runs = await listJournals();
    if (!this.jsonEnabled()) this.print(renderRuns(runs, this.style));
    return runs.map((r) => ({ runId: r.runId, kind: r.kind, status: r.status, startedAt: r.startedAt, finishedAt: r.finishedAt, changes: r.changes, rollsBack: r.rollsBack, inventory: r.inventory.file }));
  }
}
