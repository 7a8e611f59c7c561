import { isAbsolute, join, resolve } from 'node:path';

/**
 * Turns a path from the inventory into an absolute one: `~` and `~/…` are the
 * user's home; a relative path is relative to the inventory file's
 * directory, so the same inventory means the same files whatever directory
 * cis-fix is started from (a systemd timer starts it in `/`).
 */
export function expandPath(path: string, homeDir: string, baseDir: string): string {
  if (path === '~') return homeDir;
  if (path.startsWith('~/')) return join(homeDir, path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
