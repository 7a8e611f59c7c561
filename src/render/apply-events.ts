import type { AnyApplyEvent } from '../model/apply-event.js';
import type { Style } from './style.js';

export type RenderableApplyEvent = AnyApplyEvent;

/** One progress line per apply event (apply and drift --fix print the same); undefined for phase events. */
export function renderApplyEvent(event: RenderableApplyEvent, style: Style): string | undefined {
  switch (event.kind) {
    case 'change-applied': {
      const c = event.change;
      const what = c.kind === 'static-pod-manifest' ? `rewritten for ${c.controlIds.join(', ')}; waiting for ${c.restart}` : c.kind === 'kubelet-file' || c.kind === 'support-file' ? `${c.action === 'create' ? 'created' : 'rewritten'} for ${c.controlIds.join(', ')}` : c.diff;
      return `  ${style.green('applied')} ${c.node ?? 'cluster'}:${c.target}  ${style.dim(what)}`;
    }
    case 'node-restored':
      return `  ${style.yellow('restored')} ${event.node}: ${event.targets.join(', ')}`;
    case 'cluster-lock':
      return `  ${style.dim(event.detail)}`;
    case 'state-warning':
      return `  ${style.yellow('warning')} ${event.detail}`;
    case 'api-dry-run':
      return event.warnings.length ? event.warnings.map((w) => `  ${style.yellow('dry run')} ${event.change.target}: ${w}`).join('\n') : undefined;
    case 'api-applied':
      return `  ${style.green('applied')} ${event.change.target}  ${style.dim(`[${event.change.controlIds.join(', ')}]`)}`;
    case 'api-reverted':
      return `  ${style.yellow('reverted')} ${event.targets.join(', ')}`;
    case 'health':
      return `  ${event.ok ? style.green('healthy') : style.red('unhealthy')} ${event.node}: ${event.component} after ${event.seconds.toFixed(1)}s${event.detail ? ` (${event.detail})` : ''}`;
    case 'phase':
      return undefined;
    default: {
      const never: never = event;
      return never;
    }
  }
}
