import { UserError } from '../../../src/model/errors.js';
import { renderControlDetail, renderControlList } from '../../../src/render/controls.js';
import { createStyle } from '../../../src/render/style.js';
import { listControls, showControl } from '../../../src/services/controls.js';

// `cis-fix controls list|show` over the shipped playbooks: the service's data
// and its rendering (without colour).
const plain = createStyle(false);

describe('controls list', () => {
  it("lists a section with each control's fix kind, or manual", async () => {
    const list = await listControls({ benchmark: 'cis-1.12', section: '1.2' });
    expect(list.controls).toHaveLength(30);
    expect(list.controls.find((c) => c.id === '1.2.1')?.fix).toBe('manual');
    expect(list.controls.find((c) => c.id === '1.2.9')?.fix).toBe('support-file+static-pod-flag');
    expect(list.controls.find((c) => c.id === '1.2.5')?.needsParameters).toEqual(['kubeletCertificateAuthority']);
    const text = renderControlList(list, plain);
    expect(text).toMatch(/^1\.2\.15 +Automated +static-pod-flag +Ensure that the --profiling argument is set to false$/m);
    expect(text).toContain('30 controls: 28 with an automatic fix, 2 manual.');
  });

  it('takes a section prefix: 5 is every 5.x section', async () => {
    const list = await listControls({ benchmark: 'cis-1.11', section: '5' });
    expect(list.controls).toHaveLength(35);
    expect(list.sections.map((s) => s.id)).toEqual(['5.1', '5.2', '5.3', '5.4', '5.5', '5.6']);
  });

  it('rejects a section the benchmark does not have, listing those it has', async () => {
    await expect(listControls({ benchmark: 'cis-1.12', section: '6' })).rejects.toThrow(UserError);
  });
});

describe('controls show', () => {
  it('shows what kube-bench tests, what cis-fix ensures and the parameters it needs', async () => {
    const detail = await showControl({ benchmark: 'cis-1.12', id: '1.1.12' });
    expect(detail.parameters.map((p) => p.name)).toEqual(['etcdDataDirOwner']);
    expect(detail.variables.map((v) => v.name)).toEqual(['etcdDataDir']);
    const text = renderControlDetail(detail, plain);
    expect(text).toContain('Passes: "etcd:etcd" is set');
    expect(text).toContain('{etcdDataDir}: owned by <parameter etcdDataDirOwner> (user and group)');
    expect(text).toContain('etcdDataDirOwner (enum: etcd|root), no default: not fixable until set');
  });

  it("shows a manual control's reason and guidance", async () => {
    const text = renderControlDetail(await showControl({ benchmark: 'cis-1.12', id: '1.2.1' }), plain);
    expect(text).toContain('No automatic fix');
    expect(text).toMatch(/Why: With --anonymous-auth=false/);
    expect(text).toMatch(/What to do: /);
  });

  it('shows a support file with its placeholder, never a key', async () => {
    const text = renderControlDetail(await showControl({ benchmark: 'cis-1.12', id: '1.2.27' }), plain);
    expect(text).toContain('secret: ${secret.encryptionKey}');
    expect(text).toContain('generated on the node at apply time, the same on every node');
  });

  it('rejects an unknown id, naming the controls near it', async () => {
    const error = await showControl({ benchmark: 'cis-1.12', id: '4.2.15' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('cis-1.12 has no control 4.2.15.');
    expect((error as UserError).hints[0]).toContain('4.2.14');
  });
});
