import type { AnyApplyEvent } from '../../../src/model/apply-event.js';
import type { Change } from '../../../src/model/change.js';
import { ApplyBoard, createApplyProgress } from '../../../src/render/apply-progress.js';
import { createStyle } from '../../../src/render/style.js';
import { richChanges } from './plan-fixtures.js';

const manifest = richChanges.find((c) => c.node === 'cp-1' && 'restart' in c && c.restart === 'kube-apiserver')! as Change;
const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { isTTY, columns: 80, chunks, write: (s: string) => (chunks.push(s), true) };
};

describe('apply progress', () => {
  it("shows per node the step and the health gate's elapsed time", () => {
    const board = new ApplyBoard(['cp-1', 'worker-1']);
    board.update({ kind: 'phase', phase: 'backup' }, 0);
    expect(board.render(0, createStyle(false), 100)).toBe('cp-1 backing up · worker-1 backing up');
    board.update({ kind: 'change-applied', change: manifest }, 1_000);
    expect(board.render(13_400, createStyle(false), 100)).toBe('cp-1 health gate kube-apiserver 12.4s · worker-1 backing up');
    board.update({ kind: 'health', node: 'cp-1', component: 'kube-apiserver', ok: true, seconds: 12.4 }, 13_400);
    board.update({ kind: 'phase', phase: 'unlock' }, 14_000);
    expect(board.render(14_000, createStyle(false), 100)).toBe('2 done');
  });

  it('prints plain event lines without a terminal, and no cursor movement', () => {
    const out = sink(false);
    const status = sink(false);
    const progress = createApplyProgress({ nodes: ['cp-1'], style: createStyle(false), out, status });
    const events: AnyApplyEvent[] = [
      { kind: 'phase', phase: 'write' },
      { kind: 'change-applied', change: manifest },
      { kind: 'health', node: 'cp-1', component: 'kube-apiserver', ok: true, seconds: 3.2 },
    ];
    for (const e of events) progress.event(e);
    progress.done();
    expect(status.chunks).toEqual([]);
    expect(out.chunks.join('')).toBe(
      '  applied cp-1:/etc/kubernetes/manifests/kube-apiserver.yaml  rewritten for 1.2.15, 1.2.6; waiting for kube-apiserver\n  healthy cp-1: kube-apiserver after 3.2s\n',
    );
  });

  it('on a terminal, redraws one status line under the event lines and clears it when done', () => {
    const out = sink(true);
    const status = sink(true);
    let now = 0;
    const progress = createApplyProgress({ nodes: ['cp-1'], style: createStyle(false), out, status, now: () => now, tickMs: 1_000_000 });
    progress.event({ kind: 'change-applied', change: manifest });
    now = 2_500;
    progress.event({ kind: 'cluster-lock', detail: 'holding Lease kube-system/cis-fix' });
    progress.done();
    expect(status.chunks.at(-2)).toBe('\r\u001b[2Kcp-1 health gate kube-apiserver 2.5s');
    expect(status.chunks.at(-1)).toBe('\r\u001b[2K');
  });
});
