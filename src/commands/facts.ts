import { Flags } from '@oclif/core';
import { createProgress } from '../render/progress.js';
import { renderFactsSummary } from '../render/facts-summary.js';
import { collectFacts } from '../services/facts.js';
import { CisFixCommand, concurrencyFlag, inventoryFlag } from './_shared/base-command.js';

export default class Facts extends CisFixCommand {
  static override summary = 'Print what cis-fix gathers from the nodes (a debugging aid; use --json for everything).';
  static override description =
    'One SSH exec per node runs a fixed POSIX sh script; its output is parsed locally. Private keys are never read, and credentials in configuration files are redacted on the node.';
  static override examples = ['<%= config.bin %> facts -i inventory.yaml --json', '<%= config.bin %> facts --nodes cp-1'];
  static override flags = {
    inventory: inventoryFlag,
    nodes: Flags.string({ summary: 'Only these nodes (comma-separated names).', delimiter: ',', multiple: true }),
    concurrency: concurrencyFlag,
  };

  async run() {
    const { flags } = await this.parse(Facts);
    let progress = createProgress('Gathering facts', 0, process.stderr);
    const outcomes = await collectFacts({
      inventoryFile: flags.inventory,
      ...(flags.nodes ? { nodes: flags.nodes } : {}),
      concurrency: flags.concurrency,
      onStart: (count) => (progress = createProgress('Gathering facts', count, process.stderr)),
      onNodeDone: (node) => progress.tick(node),
    });
    progress.done();
    if (!this.jsonEnabled()) this.print(renderFactsSummary(outcomes, this.style));
    if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
    return { nodes: outcomes.map((o) => (o.ok ? { node: o.node, ok: true, facts: o.value } : { node: o.node, ok: false, error: o.error })) };
  }
}
