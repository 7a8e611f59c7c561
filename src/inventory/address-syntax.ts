/**
 * Syntax of the host and user names the inventory hands to SSH. Stricter
 * than DNS needs: these strings end up in messages and in suggested shell
 * commands (ssh-keyscan), so only characters that need no quoting pass, and
 * the common mix-ups (user or port inside `host`) get their own fix.
 */

/** What is wrong with a value and what to write instead. */
export interface SyntaxProblem {
  readonly message: string;
  readonly fix: string;
}

// Letters, digits, dots, hyphens, underscores; colons and `%zone` for IPv6.
const HOST_CHARS = /^[A-Za-z0-9._:%-]+$/;
const USER_CHARS = /^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/;

/** `undefined` when `host` is a plausible host name or IP address (v4 or v6, without brackets). */
export function checkHostSyntax(host: string, key = 'host'): SyntaxProblem | undefined {
  if (host.trim() === '') {
    return { message: `\`${key}\` is empty`, fix: `Write the node's address, e.g. \`${key}: 192.0.2.10\`.` };
  }
  if (host.includes('@')) {
    const [user, rest] = [host.slice(0, host.lastIndexOf('@')), host.slice(host.lastIndexOf('@') + 1)];
    return {
      message: `\`${key}\` "${host}" contains a user name`,
      fix: `Write \`${key}: ${rest}\` and put the user in the ssh settings: \`ssh: { user: ${user} }\`.`,
    };
  }
  const hostPort = /^([^:\s]+):(\d+)$/.exec(host);
  if (hostPort) {
    return {
      message: `\`${key}\` "${host}" contains a port`,
      fix: `Write \`${key}: ${hostPort[1]}\` and put the port in the ssh settings: \`ssh: { port: ${hostPort[2]} }\`.`,
    };
  }
  if (host.startsWith('[')) {
    return { message: `\`${key}\` "${host}" has brackets`, fix: `Write the IPv6 address without brackets, e.g. \`${key}: "2001:db8::10"\`.` };
  }
  if (host.startsWith('-')) {
    return { message: `\`${key}\` "${host}" starts with "-"`, fix: 'Write a host name or IP address; none starts with "-".' };
  }
  if (host.length > 253 || !HOST_CHARS.test(host)) {
    return {
      message: `\`${key}\` "${host}" is not a host name or IP address`,
      fix: `Use only letters, digits, ".", "-", "_" (and ":" in IPv6 addresses), e.g. \`${key}: cp-1.example.com\`.`,
    };
  }
  return undefined;
}

/** `undefined` when `user` is a plausible login name. */
export function checkUserSyntax(user: string): SyntaxProblem | undefined {
  if (user.includes('@')) {
    return { message: `\`user\` "${user}" contains "@"`, fix: `Write only the login name, e.g. \`user: ${user.slice(0, user.indexOf('@')) || 'ops'}\`.` };
  }
  if (user.length > 64 || !USER_CHARS.test(user)) {
    return {
      message: `\`user\` "${user}" is not a login name`,
      fix: 'Use letters, digits, ".", "_" and "-" (not starting with "-"), e.g. `user: ops`.',
    };
  }
  return undefined;
}
