/** The node's identity from `uname -s -n -r -m` and os-release. Pure. */

import type { HostFacts, KubeletVersion } from './types.js';

/** os-release(5): KEY=value, value optionally quoted with shell-like escapes. */
function parseOsRelease(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[2] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\([\\"$`])/g, '$1');
    }
    values.set(m[1] ?? '', value);
  }
  return values;
}

export function parseHostInfo(uname: string, osRelease: string | undefined): HostFacts {
  const [kernelName = '', hostname = '', kernelRelease = '', machine = ''] = uname.trim().split(/\s+/);
  let os: HostFacts['os'] = null;
  if (osRelease !== undefined) {
    const values = parseOsRelease(osRelease);
    os = {
      id: values.get('ID') ?? 'linux',
      versionId: values.get('VERSION_ID') ?? '',
      prettyName: values.get('PRETTY_NAME') ?? values.get('NAME') ?? '',
    };
  }
  return { hostname, kernelName, kernelRelease, machine, os };
}

/** The `kubelet-version` payload's fields: how, binary, then the command's output. */
export function parseKubeletVersion(how: string, binary: string, output: string): KubeletVersion {
  const trimmed = output.trim();
  return {
    version: /\bv\d+\.\d+\.\d+[0-9A-Za-z.+-]*/.exec(trimmed)?.[0] ?? null,
    output: trimmed,
    from: how.startsWith('process') ? 'process' : 'path',
    binary,
  };
}
