import type { InventoryWaiver } from '../inventory/inventory.js';
import type { Finding, FindingStatus, FindingWaiver } from '../model/finding.js';
import { idPattern } from './select-controls.js';

/**
 * Inventory waivers (issue 11 §3, DESIGN.md §7), pure: which waiver decides a
 * control on a node (or for the cluster) on a given day, which controls are
 * therefore kept out of the plan, and how findings carry it. A waived control
 * is still evaluated — the report shows its real state — but nothing is
 * planned for it, so `apply` and `drift --fix` never change it. An expired
 * waiver waives nothing: the control is planned and judged as any other, and
 * its finding carries the waiver (expired) so every output can call it out.
 */

/** A waiver this close to its last day is flagged in every output. */
export const EXPIRES_SOON_DAYS = 14;

const DAY_MS = 86_400_000;

/** The day a plan is made, as waivers compare it: the UTC date of `at` (YYYY-MM-DD). */
export function waiverDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * The waiver for `controlId` on `node` (undefined: the cluster's API
 * controls) as of `today` (YYYY-MM-DD). A waiver without `nodes` holds on
 * every node and for the cluster; one with `nodes` only on those. When
 * several match, the one that holds longest decides (an active waiver beats
 * an expired one; ties go to the first in the file).
 */
export function findWaiver(waivers: readonly InventoryWaiver[], node: string | undefined, controlId: string, today: string): FindingWaiver | undefined {
  let chosen: InventoryWaiver | undefined;
  for (const waiver of waivers) {
    if (!covers(waiver, node, controlId)) continue;
    if (chosen === undefined || waiver.expires > chosen.expires) chosen = waiver;
  }
  if (chosen === undefined) return undefined;
  const daysLeft = Math.round((dayNumber(chosen.expires) - dayNumber(today)) / DAY_MS);
  const expired = daysLeft < 0;
  return {
    control: chosen.control,
    reason: chosen.reason,
    owner: chosen.owner,
    expires: chosen.expires,
    daysLeft,
    expired,
    expiresSoon: !expired && daysLeft <= EXPIRES_SOON_DAYS,
  };
}

/**
 * Splits a node's (or the cluster's) selected controls into those to plan
 * and those an active waiver holds back. The waived ones are still evaluated
 * (for the report), but their changes must never enter the plan.
 */
export function splitWaivedControls<C extends { readonly id: string }>(
  controls: readonly C[],
  waivers: readonly InventoryWaiver[],
  node: string | undefined,
  today: string,
): { readonly planned: readonly C[]; readonly waived: readonly C[] } {
  const planned: C[] = [];
  const waived: C[] = [];
  for (const control of controls) {
    const waiver = findWaiver(waivers, node, control.id, today);
    (waiver && !waiver.expired ? waived : planned).push(control);
  }
  return { planned, waived };
}

/** Statuses a waiver speaks to; errors, not-applicable and provider-managed results stay as they are. */
const WAIVABLE: ReadonlySet<FindingStatus> = new Set(['pass', 'fail', 'manual', 'waived']);

/**
 * The findings with their waivers: under an active waiver a finding becomes
 * `waived` (its `actual` still the real state, nothing fixable); under an
 * expired one it keeps the status its evaluation gave — a failing control is
 * a failure again — and carries the waiver with `expired` true.
 */
export function attachWaivers(findings: readonly Finding[], waivers: readonly InventoryWaiver[], today: string): Finding[] {
  if (waivers.length === 0) return [...findings];
  return findings.map((finding) => {
    if (!WAIVABLE.has(finding.status)) return finding;
    const waiver = findWaiver(waivers, finding.node, finding.controlId, today);
    if (waiver === undefined) return finding;
    if (waiver.expired) return { ...finding, waiver };
    return { ...finding, status: 'waived', fixable: false, notFixableReason: `waived until ${waiver.expires} by ${waiver.owner}: ${waiver.reason}`, waiver };
  });
}

function covers(waiver: InventoryWaiver, node: string | undefined, controlId: string): boolean {
  if (waiver.nodes !== undefined && (node === undefined || !waiver.nodes.includes(node))) return false;
  return idPattern(waiver.control).test(controlId);
}

function dayNumber(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}
