import { UnreachableError } from '../../../src/model/errors.js';
import type { SshSettings } from '../../../src/model/node.js';
import { describeConnectError } from '../../../src/transport/ssh.js';

const settings: SshSettings = {
  host: '',
  port: 22,
  user: 'ops',
  identityFile: '/k',
  knownHostsFile: '/kh',
  become: 'sudo',
  proxyJump: [],
  connectTimeoutMs: 10_000,
};
const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('errors for a node that cannot be reached', () => {
  it.each([
    ['a dropped handshake', err('Connection lost before handshake'), /dropped before the SSH handshake \(Connection lost before handshake\)/],
    ['a reset connection', err('read ECONNRESET', 'ECONNRESET'), /dropped before the SSH handshake/],
    ['a refused port', err('connect ECONNREFUSED', 'ECONNREFUSED'), /cannot connect to ops@10\.0\.0\.9:22: ECONNREFUSED/],
    ['a timeout', err('Timed out while waiting for handshake'), /no SSH answer from ops@10\.0\.0\.9:22 within 10s/],
  ])('names the node once and hints at address, port, firewall, bastion and inventory check for %s', (_what, error, message) => {
    const e = describeConnectError('worker-9', 'ops@10.0.0.9:22', error, settings);
    expect(e).toBeInstanceOf(UnreachableError);
    expect(e.message).toMatch(message);
    expect(e.message.match(/worker-9/g)).toHaveLength(1);
    expect(e.detail).not.toContain('worker-9');
    expect(e.hints).toHaveLength(1);
    expect(e.hints[0]).toMatch(/address and port.*firewall.*bastion.*then run 'cis-fix inventory check'/);
  });

  it('names the configured bastion in the hint when there is one', () => {
    const e = describeConnectError('worker-9', 'ops@10.0.0.9:22', err('connect ECONNREFUSED', 'ECONNREFUSED'), {
      ...settings,
      proxyJump: [{ host: 'bastion.example.com', port: 22, user: 'ops' }],
    });
    expect(e.hints[0]).toContain('the bastion bastion.example.com:22 (ssh.proxyJump)');
  });
});
