/**
 * Which syntax a kubelet configuration file is written in, decided once, from
 * the file itself (its name and its text), never from the distribution: the
 * EKS node image keeps the kubelet's KubeletConfiguration as JSON
 * (/etc/kubernetes/kubelet/kubelet-config.json), AKS's
 * /etc/default/kubeletconfig.json is JSON too, kubeadm, GKE and the rest
 * write YAML. A file is edited in its own syntax, so that a JSON file stays
 * JSON (JSON is YAML, but the YAML editor's insertions are not JSON). Pure.
 *
 * JSON: the name ends in `.json`, or the text starts with `{` and parses as
 * JSON (a YAML flow mapping that is not JSON stays YAML).
 */
export type ConfigSyntax = 'json' | 'yaml';

export function kubeletConfigSyntax(path: string | undefined, text: string): ConfigSyntax {
  if (path !== undefined && /\.json$/i.test(path)) return 'json';
  if (!/^\s*\{/.test(text)) return 'yaml';
  try {
    JSON.parse(text);
    return 'json';
  } catch {
    return 'yaml';
  }
}
