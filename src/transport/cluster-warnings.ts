/**
 * The API server's `Warning` response headers (RFC 7234 §5.5, as Kubernetes
 * sends them: `299 - "text"`), e.g. Pod Security admission's
 * `would violate PodSecurity "restricted:latest": ...` when a namespace's
 * labels change. Pure.
 */

/** The warning texts of the `Warning` header values, unquoted and unescaped; malformed values are kept whole. */
export function parseWarningHeaders(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    let rest = value.trim();
    while (rest.length) {
      const m = /^(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?\s*(?:,\s*|$)/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push((m[3] ?? '').replace(/\\(.)/g, '$1'));
      rest = rest.slice(m[0].length);
    }
  }
  return out;
}
