import { count } from '../../render/plan-overview.js';
import { Flags } from '@oclif/core';
import { UserError } from '../../model/errors.js';
import { discoverInventory } from '../../services/discover.js';
import { CisFixCommand } from '../_shared/base-command.js';

export default class InventoryDiscover extends CisFixCommand {
  static override summary = "Write an inventory from the cluster's Node objects.";
  static override description =
    'Lists the Node objects through the Kubernetes API and writes one inventory node per Node: its InternalIP (else its ExternalIP) as host, roles from the node-role labels (control-plane nodes as [control-plane, etcd], as kubeadm stacks etcd; all others [worker]), and the SSH defaults from the flags. Nodes without an address are reported as skipped. The SSH user defaults to your local user name ($USER), as ssh itself does, and is written into the file so that the inventory means the same whoever runs cis-fix later. An existing file is only replaced with --force.';
  static override examples = [
    '<%= config.bin %> inventory discover --ssh-user ops --identity-file ~/.ssh/id_ed25519',
    '<%= config.bin %> inventory discover --context prod-admin --proxy-jump ops@bastion.example.com -o prod.yaml',
    '<%= config.bin %> inventory discover -o -   # print the inventory instead of writing it',
  ];
  static override flags = {
    kubeconfig: Flags.string({ summary: 'Kubeconfig to read the Node objects with (default: $KUBECONFIG, else ~/.kube/config).' }),
    context: Flags.string({ summary: 'Context in the kubeconfig (default: its current-context). Written into the inventory.' }),
    'cluster-name': Flags.string({ summary: 'cluster.name in the inventory (default: the context name).' }),
    output: Flags.string({ char: 'o', summary: 'File to write; - prints the inventory on stdout.', default: 'inventory.yaml' }),
    force: Flags.boolean({ summary: 'Overwrite the output file if it exists.' }),
    'ssh-user': Flags.string({ summary: 'SSH login name on the nodes (default: your local user name, $USER).' }),
    'ssh-port': Flags.integer({ summary: 'SSH port.', default: 22, min: 1, max: 65535 }),
    'identity-file': Flags.string({ summary: 'Private key file (default: none, the ssh-agent is used).' }),
    'known-hosts': Flags.string({ summary: 'known_hosts file the host keys are verified against (default: ~/.ssh/known_hosts).' }),
    become: Flags.string({ summary: 'How to become root on the nodes.', options: ['sudo', 'none'], default: 'sudo' }),
    'proxy-jump': Flags.string({ summary: 'Bastion hops in OpenSSH -J syntax (user@host:port, comma-separated).' }),
  };

  async run() {
    const { flags } = await this.parse(InventoryDiscover);
    if (flags.output === '-' && this.jsonEnabled()) {
      throw new UserError('--json and -o - both want stdout.', [], ['Write the inventory to a file with -o FILE, or leave out --json.']);
    }
    const result = await discoverInventory({
      kubeconfig: flags.kubeconfig,
      context: flags.context,
      clusterName: flags['cluster-name'],
      output: flags.output,
      force: flags.force,
      ssh: {
        user: flags['ssh-user'],
        port: flags['ssh-port'],
        identityFile: flags['identity-file'],
        knownHostsFile: flags['known-hosts'],
        become: flags.become === 'none' ? 'none' : 'sudo',
        proxyJump: flags['proxy-jump'],
      },
    });
    const summary = this.summaryText(result.file === '-' ? undefined : flags.output, result);
    if (result.file === '-') {
      process.stdout.write(result.text);
      process.stderr.write(summary);
    } else if (!this.jsonEnabled()) {
      this.print(summary);
    }
    return {
      file: result.file,
      context: result.context,
      server: result.server,
      nodes: result.nodes.map((n) => ({ name: n.name, host: n.host, roles: n.roles })),
      skipped: result.skipped,
      notes: result.notes,
    };
  }

  private summaryText(shown: string | undefined, result: Awaited<ReturnType<typeof discoverInventory>>): string {
    const s = this.jsonEnabled() || shown === undefined ? this.errStyle : this.style;
    const controlPlanes = result.nodes.filter((n) => n.roles.includes('control-plane')).length;
    const lines = [
      `${shown === undefined ? 'Discovered' : `Wrote ${shown}:`} ${count(result.nodes.length, 'node')} (${count(controlPlanes, 'control plane')}, ${count(result.nodes.length - controlPlanes, 'worker')}) from context ${result.context} (${result.server}).`,
      ...result.nodes.map((n) => `  ${n.name.padEnd(20)} ${n.host.padEnd(16)} [${n.roles.join(', ')}]`),
      ...result.notes.map((note) => `${s.yellow('note:')} ${note}`),
      ...(shown === undefined ? [] : [`Next: cis-fix inventory check -i ${shown}`]),
    ];
    return `${lines.join('\n')}\n`;
  }
}
