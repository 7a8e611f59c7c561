import type { AnyApplyEvent } from '../model/apply-event.js';
import { escapeName } from './escape-name.js';
import { restartOf } from './plan-overview.js';
import type { Style } from './style.js';

export type RenderableApplyEvent = AnyApplyEvent;

/**
 * One progress line per apply event (apply and drift --fix print the same);
 * undefined for phase events. Change-kind agnostic: only the fields every
 * change has are read. Names are escaped (escapeName).
 */
export function renderApplyEvent(event: RenderableApplyEvent, style: Style): string | undefined {
  switch (event.kind) {
    case 'change-applied': {
      const c = event.change;
      const restart = restartOf(c);
      const firstDiffLine = c.diff.split('\n').find((l) => l !== '' && !l.startsWith('---') && !l.startsWith('+++')) ?? '';
      const what = restart
        ? `${c.action === 'create' ? 'created' : 'rewritten'} for ${c.controlIds.join(', ')}; waiting for ${restart}`
        : `${escapeName(firstDiffLine)} [${c.controlIds.join(', ')}]`;
      return `  ${style.green('applied')} ${escapeName(c.node ?? 'cluster')}:${escapeName(c.target)}  ${style.dim(what)}`;
    }
    case 'node-restored':
      return `  ${style.yellow('restored')} ${escapeName(event.node)}: ${event.targets.map(escapeName).join(', ')}`;
    case 'cluster-lock':
      return `  ${style.dim(escapeName(event.detail))}`;
    case 'state-warning':
      return `  ${style.yellow('warning')} ${escapeName(event.detail)}`;
    case 'api-dry-run':
      return event.warnings.length
        ? event.warnings.map((w) => `  ${style.yellow('dry run')} ${escapeName(event.change.target)}: ${escapeName(w)}`).join('\n')
        : undefined;
    case 'api-applied':
      return `  ${style.green('applied')} ${escapeName(event.change.target)}  ${style.dim(`[${event.change.controlIds.join(', ')}]`)}`;
    case 'api-reverted':
      return `  ${style.yellow('reverted')} ${event.targets.map(escapeName).join(', ')}`;
    case 'health':
      return `  ${event.ok ? style.green('healthy') : style.red('unhealthy')} ${escapeName(event.node)}: ${event.component} after ${event.seconds.toFixed(1)}s${event.detail ? ` (${escapeName(event.detail)})` : ''}`;
    case 'phase':
      return undefined;
    default: {
      const never: never = event;
      return never;
    }
  }
}
