import type { PathTemplate } from './types.js';

/**
 * Path templates (types.ts PathTemplate): `{variable}` parts and glob parts.
 * Pure string work; resolving variables on a node is the facts layer's job.
 */

const VARIABLE = /\{([^{}]*)\}/g;

/** The variable names a template refers to, in order of appearance (may repeat). */
export function templateVariables(template: PathTemplate): string[] {
  return [...template.matchAll(VARIABLE)].map((m) => m[1] ?? '');
}

/**
 * Every path the template stands for, given each variable's resolved values
 * (a `resolve: all` variable may have several; a variable with none makes
 * the result empty). Glob parts are left in place for globToRegExp.
 */
export function expandTemplate(template: PathTemplate, values: Readonly<Record<string, readonly string[]>>): string[] {
  let results = [''];
  let last = 0;
  for (const match of template.matchAll(VARIABLE)) {
    const literal = template.slice(last, match.index);
    const options = values[match[1] ?? ''] ?? [];
    results = results.flatMap((prefix) => options.map((value) => prefix + literal + stripTrailingSlash(value)));
    last = (match.index ?? 0) + match[0].length;
  }
  const tail = template.slice(last);
  return results.map((prefix) => prefix + tail);
}

function stripTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Whether an expanded path has glob parts (`*`, `?`, `**`). */
export function isGlob(path: string): boolean {
  return /[*?]/.test(path);
}

/** The longest leading directory of a glob without glob characters: where a search must start. */
export function globRoot(path: string): string {
  const segments = path.split('/');
  const index = segments.findIndex((segment) => /[*?]/.test(segment));
  if (index < 0) return path;
  const root = segments.slice(0, index).join('/');
  return root === '' ? '/' : root;
}

/**
 * An anchored RegExp for an expanded glob: `*` and `?` stay within one path
 * segment; a `**` segment matches any number of directories (`a/**\/*.key`
 * matches a/x.key and a/b/c/x.key; a trailing `a/**` matches everything
 * below a, not a itself).
 */
export function globToRegExp(path: string): RegExp {
  const segments = path.split('/');
  let source = '';
  segments.forEach((segment, i) => {
    const lastSegment = i === segments.length - 1;
    if (segment === '**') {
      source += lastSegment ? '/.+' : '(?:/[^/]+)*';
      return;
    }
    if (i > 0) source += '/';
    source += segment
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]');
  });
  // `s`: a name may hold a newline, and `**` must still match it (issue 10 §3).
  return new RegExp(`^${source}$`, 's');
}
