import { describe, expect, it } from '@jest/globals';
import { argKeySources, configFileOrder } from '../../../../src/evaluate/rancher/rancher-config.js';

const file = (path: string, text: string) => ({ path, text });

describe('the Rancher config files as RKE2 and k3s read them', () => {
  it('reads config.yaml, then the .yaml and .yml drop-ins in byte order, nothing else', () => {
    const order = configFileOrder('/etc/rancher/rke2/config.yaml', [
      '/etc/rancher/rke2/config.yaml.d/50-b.yaml',
      '/etc/rancher/rke2/config.yaml.d/10-a.YML',
      '/etc/rancher/rke2/config.yaml.d/20-c.txt',
      '/etc/rancher/rke2/config.yaml.d/Z.yaml',
      '/etc/rancher/rke2/config.yaml.d/sub/30.yaml',
    ]);
    expect(order).toEqual([
      '/etc/rancher/rke2/config.yaml',
      '/etc/rancher/rke2/config.yaml.d/10-a.YML',
      '/etc/rancher/rke2/config.yaml.d/50-b.yaml',
      '/etc/rancher/rke2/config.yaml.d/Z.yaml',
    ]);
  });

  it('lets a later file replace a key, and a key+ append to it', () => {
    const sources = argKeySources(
      [
        file('/c/config.yaml', 'kube-apiserver-arg:\n  - a=1\n'),
        file('/c/config.yaml.d/10.yaml', 'kube-apiserver-arg:\n  - b=2\n'),
        file('/c/config.yaml.d/20.yaml', 'kube-apiserver-arg+:\n  - c=3\nkubelet-arg: [d=4]\n'),
      ],
      'kube-apiserver-arg',
    );
    if ('problem' in sources) throw new Error(sources.problem);
    expect(sources.winner).toBe('/c/config.yaml.d/10.yaml');
    expect(sources.contributors.map((c) => c.path)).toEqual(['/c/config.yaml.d/10.yaml', '/c/config.yaml.d/20.yaml']);
    expect(sources.entries.map((e) => e.raw)).toEqual(['b=2', 'c=3']);
  });

  it('reads a key+ with nothing before it as a plain key', () => {
    const sources = argKeySources([file('/c/config.yaml', 'etcd-arg+:\n  - x+=1\n')], 'etcd-arg');
    if ('problem' in sources) throw new Error(sources.problem);
    expect(sources.winner).toBe('/c/config.yaml');
    expect(sources.entries.map((e) => [e.flag, e.value, e.mode])).toEqual([['x', '1', 'append']]);
  });

  it('reads a lone string as one element, which a later key+ appends to (configfilearg toSlice)', () => {
    const sources = argKeySources(
      [
        file('/c/config.yaml.d/10.yaml', 'kube-scheduler-arg: "bind-address=0.0.0.0"\n'),
        file('/c/config.yaml.d/20.yaml', 'kube-scheduler-arg+:\n  - profiling=true\n'),
      ],
      'kube-scheduler-arg',
    );
    if ('problem' in sources) throw new Error(sources.problem);
    expect(sources.winner).toBe('/c/config.yaml.d/10.yaml');
    expect(sources.entries.map((e) => [e.flag, e.value])).toEqual([
      ['bind-address', '0.0.0.0'],
      ['profiling', 'true'],
    ]);
  });

  it('still refuses a *-arg value that is neither a list of strings nor a string', () => {
    expect(argKeySources([file('/c/config.yaml', 'kubelet-arg: 5\n')], 'kubelet-arg')).toEqual({ problem: expect.stringContaining('is not a list') });
  });

  it('knows no winner when no file sets the key', () => {
    expect(argKeySources([file('/c/config.yaml', 'profile: cis\n')], 'kubelet-arg')).toMatchObject({ winner: undefined, entries: [] });
  });

  it('reports a file it cannot read, naming it', () => {
    expect(argKeySources([file('/c/config.yaml', 'kubelet-arg: [\n')], 'kubelet-arg')).toEqual({
      problem: expect.stringContaining('/c/config.yaml: it is not valid YAML'),
    });
  });
});
