import { Flags } from '@oclif/core';
import { createProgress } from '../../render/progress.js';
import { renderNodeChecks } from '../../render/node-checks.js';
import { checkInventory } from '../../services/inventory-check.js';
import { CisFixCommand, concurrencyFlag, inventoryFlag } from '../_shared/base-command.js';

export default class InventoryCheck extends CisFixCommand {
  static override summary = 'Check that every node is reachable, its host key verified, sudo works and its roles are right.';
  static override description =
    'Per node: SSH reachable, host key verified against knownHostsFile, `sudo -n` works, roles detected from the running processes match the declared roles, kubelet version. Exit 1 if any node fails.';
  static override examples = [
    '<%= config.bin %> inventory check -i inventory.yaml',
    '<%= config.bin %> inventory check --accept-new-host-keys   # record keys of hosts not yet in known_hosts',
  ];
  static override flags = {
    inventory: inventoryFlag,
    nodes: Flags.string({ summary: 'Only these nodes (comma-separated names).', delimiter: ',', multiple: true }),
    'accept-new-host-keys': Flags.boolean({
      summary: 'Record the host keys of nodes not yet in knownHostsFile (never a changed key).',
    }),
    concurrency: concurrencyFlag,
  };

  async run() {
    const { flags } = await this.parse(InventoryCheck);
    let progress = createProgress('Checking nodes', 0, process.stderr);
    const checks = await checkInventory({
      inventoryFile: flags.inventory,
      ...(flags.nodes ? { nodes: flags.nodes } : {}),
      acceptNewHostKeys: flags['accept-new-host-keys'],
      concurrency: flags.concurrency,
      onStart: (count) => (progress = createProgress('Checking nodes', count, process.stderr)),
      onNodeDone: (node) => progress.tick(node),
    });
    progress.done();
    if (!this.jsonEnabled()) this.print(renderNodeChecks(checks, this.style));
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
    return { ok: checks.every((c) => c.ok), nodes: checks };
  }
}
