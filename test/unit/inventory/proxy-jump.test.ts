import fc from 'fast-check';
import { formatEndpoint, parseProxyHop, parseProxyHopList, resolveProxyJump } from '../../../src/inventory/proxy-jump.js';
import { parse, yaml } from './inventory-fixtures.js';

describe('parseProxyHop', () => {
  it.each([
    ['bastion.example.com', { host: 'bastion.example.com', port: undefined, user: undefined }],
    ['bastion:2222', { host: 'bastion', port: 2222, user: undefined }],
    ['ops@bastion', { host: 'bastion', port: undefined, user: 'ops' }],
    ['ops@bastion:2222', { host: 'bastion', port: 2222, user: 'ops' }],
    ['[2001:db8::1]:2222', { host: '2001:db8::1', port: 2222, user: undefined }],
    ['ops@[2001:db8::1]', { host: '2001:db8::1', port: undefined, user: 'ops' }],
    ['2001:db8::1', { host: '2001:db8::1', port: undefined, user: undefined }],
    ['ssh://ops@bastion:22', { host: 'bastion', port: 22, user: 'ops' }],
    ['  ops@bastion  ', { host: 'bastion', port: undefined, user: 'ops' }],
  ])('reads %s', (text, hop) => {
    expect(parseProxyHop(text)).toEqual({ ok: true, hop });
  });

  it.each([
    ['', '`proxyJump` has an empty hop'],
    ['@bastion', 'proxyJump hop "@bastion" has an empty user before "@"'],
    ['bastion:0', 'proxyJump hop "bastion:0" has port "0", not a number from 1 to 65535'],
    ['bastion:ssh', 'proxyJump hop "bastion:ssh" has port "ssh", not a number from 1 to 65535'],
    ['[2001:db8::1', 'proxyJump hop "[2001:db8::1" has "[" without "]"'],
    ['[::1]x', 'proxyJump hop "[::1]x" has text after "]"'],
    ['bas tion', 'proxyJump hop "bas tion": `proxyJump host` "bas tion" is not a host name or IP address'],
  ])('rejects %j', (text, message) => {
    const parsed = parseProxyHop(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem.message).toBe(message);
  });

  it('reads back every endpoint it formats', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    const host = fc.oneof(
      fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')),
      fc.ipV4(),
      fc.ipV6(),
    );
    const endpoint = fc.record({ host, port: fc.integer({ min: 1, max: 65535 }), user: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,15}$/) });
    fc.assert(
      fc.property(fc.array(endpoint, { minLength: 1, maxLength: 4 }), (endpoints) => {
        const parsed = parseProxyHopList(endpoints.map(formatEndpoint).join(','));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(resolveProxyJump(parsed.hops, 'unused')).toEqual(endpoints);
      }),
    );
  });
});

describe('parseProxyHopList', () => {
  it('splits comma-separated hops, outermost first', () => {
    expect(parseProxyHopList('a@outer:22,inner')).toEqual({
      ok: true,
      hops: [
        { host: 'outer', port: 22, user: 'a' },
        { host: 'inner', port: undefined, user: undefined },
      ],
    });
  });
});

describe('proxyJump in the inventory', () => {
  const withProxyJump = (...lines: string[]) =>
    parse(yaml('ssh:', '  user: ops', ...lines, 'nodes:', '  - { name: cp-1, host: 10.0.0.10, roles: [etcd] }')).nodes[0]?.ssh.proxyJump;

  it('fills each hop’s user from the node’s user and its port with 22', () => {
    expect(withProxyJump('  proxyJump: bastion,admin@inner:2222')).toEqual([
      { host: 'bastion', port: 22, user: 'ops' },
      { host: 'inner', port: 2222, user: 'admin' },
    ]);
  });

  it('accepts a list mixing strings and {host, port, user} maps', () => {
    expect(
      withProxyJump('  proxyJump:', '    - "[2001:db8::1]:22"', '    - { host: inner, port: 2200, user: jump }', '    - { host: last }', '    - a,b'),
    ).toEqual([
      { host: '2001:db8::1', port: 22, user: 'ops' },
      { host: 'inner', port: 2200, user: 'jump' },
      { host: 'last', port: 22, user: 'ops' },
      { host: 'a', port: 22, user: 'ops' },
      { host: 'b', port: 22, user: 'ops' },
    ]);
  });

  it.each(['none', '[]', '~'])('reads proxyJump: %s as no bastion', (value) => {
    expect(withProxyJump(`  proxyJump: ${value}`)).toEqual([]);
  });
});
