import { describe, expect, it } from '@jest/globals';
import { flagOccurrences, flagValue } from '../../../src/facts/process-flags.js';

describe('flagValue', () => {
  it('reads --flag=value and --flag value alike', () => {
    expect(flagValue(['kubelet', '--config=/a.yaml'], '--config')).toBe('/a.yaml');
    expect(flagValue(['kubelet', '--config', '/b.yaml'], '--config')).toBe('/b.yaml');
  });

  it('takes the last occurrence, as pflag does', () => {
    expect(flagValue(['kubelet', '--config=/a', '--v=2', '--config', '/b'], '--config')).toBe('/b');
  });

  it('does not confuse a flag with a longer one or with argv[0]', () => {
    expect(flagValue(['--config=/argv0', '--config-dir=/d', '--kubeconfig=/k'], '--config')).toBeUndefined();
    expect(flagValue(['kube-apiserver', '--requestheader-client-ca-file=/r'], '--client-ca-file')).toBeUndefined();
  });

  it("treats a bare flag as having no value and accepts etcd's single-dash form", () => {
    expect(flagOccurrences(['x', '--profiling', '--v=2'], '--profiling')).toEqual([{ index: 1, form: 'bare', value: null }]);
    expect(flagValue(['etcd', '-data-dir=/var/lib/etcd'], '--data-dir')).toBe('/var/lib/etcd');
    expect(flagValue(['kubelet', '-v=2'], '--v')).toBeUndefined();
  });
});
