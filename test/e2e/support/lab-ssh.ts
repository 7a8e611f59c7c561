import type { SshSettings } from '../../../src/model/node.js';
import type { LabState } from '../../lab/lab.js';

/** SSH settings for a lab node as the lab's inventory would give them. */
export function labSshSettings(state: LabState, overrides: Partial<SshSettings> = {}): SshSettings {
  return {
    user: 'ops',
    port: 22,
    host: '',
    identityFile: state.identityFile,
    knownHostsFile: state.knownHostsFile,
    become: 'sudo',
    proxyJump: [],
    connectTimeoutMs: 10_000,
    ...overrides,
  };
}

export function labNode(state: LabState, name: string) {
  const node = state.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no lab node ${name} in ${state.nodes.map((n) => n.name).join(', ')}`);
  return node;
}
