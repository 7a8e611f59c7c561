import { describe, expect, it } from '@jest/globals';
import { kubeletConfigSyntax } from '../../../../src/plan/edits/kubelet-config-syntax.js';

describe('kubeletConfigSyntax', () => {
  it('edits a .json file as JSON, whatever it holds', () => {
    expect(kubeletConfigSyntax('/etc/kubernetes/kubelet/kubelet-config.json', '{\n  "kind": "KubeletConfiguration"\n}\n')).toBe('json');
    expect(kubeletConfigSyntax('/etc/default/kubeletconfig.json', '')).toBe('json');
  });

  it('recognises JSON by its content under another name, and keeps YAML (flow mappings too) as YAML', () => {
    expect(kubeletConfigSyntax('/var/lib/kubelet/config.yaml', '  {"kind": "KubeletConfiguration"}')).toBe('json');
    expect(kubeletConfigSyntax(undefined, '{"kind": "KubeletConfiguration"}')).toBe('json');
    expect(kubeletConfigSyntax('/var/lib/kubelet/config.yaml', 'kind: KubeletConfiguration\n')).toBe('yaml');
    expect(kubeletConfigSyntax('/home/kubernetes/kubelet-config.yaml', '{kind: KubeletConfiguration}\n')).toBe('yaml');
  });
});
