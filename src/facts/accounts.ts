/**
 * Users and groups from the `accounts` payload: `name:uid:gid` lines, a
 * separator line, then `name:gid:members` lines (fields 1, 3 and 4 of
 * passwd and group; no password fields ever leave the node). Pure.
 */

import { ACCOUNTS_SEPARATOR } from './output-format.js';
import type { GroupAccount, UserAccount } from './types.js';

export interface Accounts {
  readonly users: readonly UserAccount[];
  readonly groups: readonly GroupAccount[];
}

const ID = /^\d+$/;

export function parseAccounts(text: string): Accounts {
  const lines = text.split('\n');
  const cut = lines.indexOf(ACCOUNTS_SEPARATOR);
  const passwd = cut < 0 ? lines : lines.slice(0, cut);
  const group = cut < 0 ? [] : lines.slice(cut + 1);
  const users: UserAccount[] = [];
  for (const line of passwd) {
    const [name = '', uid = '', gid = ''] = line.split(':');
    if (name && ID.test(uid) && ID.test(gid)) users.push({ name, uid: Number(uid), gid: Number(gid) });
  }
  const groups: GroupAccount[] = [];
  for (const line of group) {
    const [name = '', gid = '', members = ''] = line.split(':');
    if (name && ID.test(gid)) {
      groups.push({ name, gid: Number(gid), members: members ? members.split(',').filter(Boolean) : [] });
    }
  }
  return { users, groups };
}
