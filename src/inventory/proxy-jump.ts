import type { SshEndpoint } from '../model/node.js';
import { checkHostSyntax, checkUserSyntax, type SyntaxProblem } from './address-syntax.js';

/**
 * One bastion hop as the inventory wrote it. `user` and `port` are left
 * undefined when not written, so that resolution can fill them from the
 * node's settings (see `resolveProxyJump`).
 */
export interface ProxyHopSpec {
  readonly host: string;
  readonly port: number | undefined;
  readonly user: string | undefined;
}

export type HopParse = { readonly ok: true; readonly hop: ProxyHopSpec } | { readonly ok: false; readonly problem: SyntaxProblem };

const EXAMPLE = 'proxyJump: ops@bastion.example.com:22';

/**
 * Parses one hop in OpenSSH's `-J` syntax: `host`, `host:port`, `user@host`,
 * `user@host:port`, `[v6]`, `[v6]:port`, a bare IPv6 address (no port), or
 * `ssh://user@host:port`.
 */
export function parseProxyHop(text: string): HopParse {
  const fail = (message: string, fix: string): HopParse => ({ ok: false, problem: { message, fix } });
  let rest = text.trim();
  if (rest === '') return fail('`proxyJump` has an empty hop', `Write hops as user@host:port, separated by commas, e.g. \`${EXAMPLE}\`.`);
  if (rest.startsWith('ssh://')) rest = rest.slice('ssh://'.length);

  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (user === '') return fail(`proxyJump hop "${text}" has an empty user before "@"`, `Write the user or leave "@" out, e.g. \`${EXAMPLE}\`.`);
    const userProblem = checkUserSyntax(user);
    if (userProblem) return fail(`proxyJump hop "${text}": ${userProblem.message}`, userProblem.fix);
  }

  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return fail(`proxyJump hop "${text}" has "[" without "]"`, 'Write IPv6 hops as [2001:db8::1]:22.');
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return fail(`proxyJump hop "${text}" has text after "]"`, 'Write IPv6 hops as [2001:db8::1]:22.');
    portText = after === '' ? undefined : after.slice(1);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [host, portText] = rest.split(':') as [string, string];
  } else {
    // No colon, or several: a bare IPv6 address, which cannot carry a port.
    host = rest;
  }

  const hostProblem = checkHostSyntax(host, 'proxyJump host');
  if (hostProblem) return fail(`proxyJump hop "${text}": ${hostProblem.message}`, `Write hops as user@host:port, e.g. \`${EXAMPLE}\`.`);
  let port: number | undefined;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      return fail(`proxyJump hop "${text}" has port "${portText}", not a number from 1 to 65535`, `Write e.g. \`${EXAMPLE}\`.`);
    }
  }
  return { ok: true, hop: { host, port, user } };
}

/** Splits OpenSSH's comma-separated hop list; stops at the first bad hop. */
export function parseProxyHopList(text: string): { ok: true; hops: ProxyHopSpec[] } | { ok: false; problem: SyntaxProblem } {
  const hops: ProxyHopSpec[] = [];
  for (const part of text.split(',')) {
    const parsed = parseProxyHop(part);
    if (!parsed.ok) return parsed;
    hops.push(parsed.hop);
  }
  return { ok: true, hops };
}

/**
 * Fills what a hop left out. The user defaults to the node's SSH user (not
 * the local account as bare OpenSSH would: cis-fix reads no ssh_config, and
 * a bastion almost always shares the operators' account); the port to 22,
 * never the node's port, which often differs from the bastion's.
 */
export function resolveProxyJump(hops: readonly ProxyHopSpec[], defaultUser: string): SshEndpoint[] {
  return hops.map((hop) => ({ host: hop.host, port: hop.port ?? 22, user: hop.user ?? defaultUser }));
}

/** `user@host:port`, with brackets around IPv6 addresses: the form `parseProxyHop` reads back. */
export function formatEndpoint(endpoint: SshEndpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.user}@${host}:${endpoint.port}`;
}
