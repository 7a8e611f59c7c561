import type { AnyApplyEvent } from '../model/apply-event.js';
import { renderApplyEvent } from './apply-events.js';
import { escapeName } from './escape-name.js';
import { restartOf } from './plan-overview.js';
import type { Style } from './style.js';

/**
 * Live progress of an apply (issue 12 §1): per node, the step it is at and,
 * while a health gate waits, for how long. On a terminal the event lines
 * scroll as before and one status line under them is rewritten in place
 * (every `tickMs`); without a terminal only the plain event lines are
 * printed, so logs and pipes stay clean. NO_COLOR is the style's business.
 */
export interface ApplyProgress {
  event(event: AnyApplyEvent): void;
  done(): void;
}

export type NodeStep =
  | { readonly step: 'waiting' }
  | { readonly step: 'locking' | 'checking' | 'backing up' | 'writing' | 'done' }
  | { readonly step: 'health'; readonly component: string; readonly since: number }
  | { readonly step: 'healthy' | 'unhealthy' | 'restored'; readonly component?: string };

/** The board's state: which step each node is at. Pure; `now` is passed in. */
export class ApplyBoard {
  private readonly nodes = new Map<string, NodeStep>();

  constructor(nodes: readonly string[]) {
    for (const node of nodes) this.nodes.set(node, { step: 'waiting' });
  }

  update(event: AnyApplyEvent, now: number): void {
    switch (event.kind) {
      case 'phase': {
        const step =
          event.phase === 'lock'
            ? 'locking'
            : event.phase === 'precondition'
              ? 'checking'
              : event.phase === 'backup'
                ? 'backing up'
                : event.phase === 'unlock'
                  ? 'done'
                  : undefined;
        // A phase is every node's; the write phase starts per node, with its first change.
        if (step)
          for (const node of this.nodes.keys())
            if (this.nodes.get(node)!.step !== 'unhealthy' && this.nodes.get(node)!.step !== 'restored') this.nodes.set(node, { step });
        return;
      }
      case 'change-applied': {
        const node = event.change.node;
        if (node === undefined) return;
        const restart = restartOf(event.change);
        this.nodes.set(node, restart ? { step: 'health', component: restart, since: now } : { step: 'writing' });
        return;
      }
      case 'health':
        this.nodes.set(event.node, { step: event.ok ? 'healthy' : 'unhealthy', component: event.component });
        return;
      case 'node-restored':
        this.nodes.set(event.node, { step: 'restored' });
        return;
      case 'cluster-lock':
      case 'api-dry-run':
      case 'api-applied':
      case 'api-reverted':
      case 'state-warning':
        return;
      default: {
        const never: never = event;
        return never;
      }
    }
  }

  /** One line: "cp-1 health kube-apiserver 12.4s · worker-1 writing · 3 done"; nodes at rest are counted, not listed. */
  render(now: number, style: Style, width: number): string {
    const active: string[] = [];
    const counts = new Map<string, number>();
    for (const [node, s] of this.nodes) {
      if (s.step === 'health') active.push(`${escapeName(node)} ${style.yellow(`health gate ${s.component}`)} ${((now - s.since) / 1000).toFixed(1)}s`);
      else if (s.step === 'writing' || s.step === 'locking' || s.step === 'checking' || s.step === 'backing up') active.push(`${escapeName(node)} ${s.step}`);
      else counts.set(s.step, (counts.get(s.step) ?? 0) + 1);
    }
    const rest = [...counts].map(([step, n]) => `${n} ${step}`);
    const parts = [...active, ...rest];
    let line = '';
    for (const part of parts) {
      const next = line ? `${line} · ${part}` : part;
      if (visible(next) > width - 1) return `${line} …`;
      line = next;
    }
    return line;
  }
}

// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;

export interface ApplyProgressOptions {
  readonly nodes: readonly string[];
  readonly style: Style;
  /** Where event lines go (stdout). */
  readonly out: { write(s: string): boolean };
  /** Where the live status line goes; drawn only when it is a terminal. */
  readonly status: { isTTY?: boolean; columns?: number; write(s: string): boolean };
  readonly tickMs?: number;
  readonly now?: () => number;
}

export function createApplyProgress(options: ApplyProgressOptions): ApplyProgress {
  const { style, out, status } = options;
  const now = options.now ?? Date.now;
  const board = new ApplyBoard(options.nodes);
  const live = Boolean(status.isTTY);
  const width = status.columns && status.columns > 20 ? status.columns : 100;
  const clear = () => {
    if (live) status.write('\r\u001b[2K');
  };
  const draw = () => {
    if (live) status.write(`\r\u001b[2K${board.render(now(), style, width)}`);
  };
  const timer = live ? setInterval(draw, options.tickMs ?? 200) : undefined;
  timer?.unref();
  return {
    event(event) {
      board.update(event, now());
      const line = renderApplyEvent(event, style);
      clear();
      if (line !== undefined) out.write(`${line}\n`);
      draw();
    },
    done() {
      if (timer) clearInterval(timer);
      clear();
    },
  };
}
