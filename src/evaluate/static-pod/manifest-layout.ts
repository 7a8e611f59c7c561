import { isAlias, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';
import { memoByText } from '../../facts/text-memo.js';
import type { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/**
 * Where the parts cis-fix edits sit in a static pod manifest: the container
 * of the component, its `command` and `args`, its `volumeMounts` and the
 * pod's `volumes`, with the parser's source offsets. Reading only; edits
 * are splices computed from these nodes.
 */

/**
 * A sequence-valued key of a block or flow mapping. `seq` is set when the
 * key holds a sequence; `pair` is set when the key exists at all (an empty
 * `volumeMounts:` has a pair and no seq). Invariant: `seq` ⇒ `pair`.
 */
export interface SequenceSlot {
  readonly owner: YAMLMap;
  readonly key: string;
  readonly pair: Pair | undefined;
  readonly seq: YAMLSeq | undefined;
}

/**
 * A parsed manifest with its one container chosen. Invariants: `command`
 * and `args` items are all scalars (no aliases, no collections); the
 * document has no errors and exactly one Pod.
 */
export interface ManifestLayout {
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly spec: YAMLMap;
  /** The `containers:` pair of the spec, for the document's sequence indentation style. */
  readonly containers: Pair;
  readonly container: YAMLMap;
  readonly containerName: string;
  readonly command: SequenceSlot;
  readonly args: SequenceSlot;
  readonly volumeMounts: SequenceSlot;
  readonly volumes: SequenceSlot;
}

export type LayoutResult = { readonly kind: 'layout'; readonly layout: ManifestLayout } | { readonly kind: 'problem'; readonly problem: string };

/**
 * Parse a manifest and pick the container: the one named `containerName`
 * when there is one, else the first (kubeadm names the single container
 * after the component; hand-written manifests may not).
 */
export function readManifestLayout(text: string, containerName?: string): LayoutResult {
  return layoutOf(text)(containerName);
}

/** One parse per distinct manifest text (every flag step of every control reads it); the layout is read-only. */
const layoutOf = memoByText((text: string) => {
  const byContainer = new Map<string | undefined, LayoutResult>();
  return (containerName: string | undefined): LayoutResult => {
    let result = byContainer.get(containerName);
    if (result === undefined) byContainer.set(containerName, (result = parseManifestLayout(text, containerName)));
    return result;
  };
});

function parseManifestLayout(text: string, containerName?: string): LayoutResult {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    return problem(`the manifest is not valid YAML: ${String(error)}`);
  }
  const firstError = doc.errors[0];
  if (firstError) return problem(`the manifest is not valid YAML: ${oneLine(firstError.message)}`);
  const root = doc.contents;
  if (!isMap(root)) return problem('the manifest is not a YAML mapping (expected a Pod)');
  const kind = scalarValue(root.get('kind', true));
  if (kind !== undefined && kind !== 'Pod') return problem(`the manifest is a ${kind}, not a Pod`);
  const specNode = root.get('spec', true);
  if (!isMap(specNode)) return problem('the manifest has no spec mapping');
  const containersPair = pairOf(specNode, 'containers');
  const containers = containersPair?.value;
  if (!containersPair || !isSeq(containers) || containers.items.length === 0) return problem('the manifest has no spec.containers');
  const maps = containers.items.filter((item): item is YAMLMap => isMap(item));
  if (maps.length !== containers.items.length) return problem('spec.containers holds something other than container mappings');
  const named = containerName === undefined ? undefined : maps.find((c) => scalarValue(c.get('name', true)) === containerName);
  const container = named ?? maps[0];
  if (!container) return problem('the manifest has no spec.containers');
  const name = scalarValue(container.get('name', true)) ?? '';

  const slots: Record<'command' | 'args' | 'volumeMounts' | 'volumes', SequenceSlot> = {
    command: slotOf(container, 'command'),
    args: slotOf(container, 'args'),
    volumeMounts: slotOf(container, 'volumeMounts'),
    volumes: slotOf(specNode, 'volumes'),
  };
  for (const [key, slot] of Object.entries(slots)) {
    const value = slot.pair?.value;
    if (isAlias(value)) return problem(`${key} of container ${name} is a YAML alias; cis-fix edits only literal lists`);
    if (slot.pair && !slot.seq && !isEmptyValue(value)) return problem(`${key} of container ${name} is not a list`);
  }
  for (const key of ['command', 'args'] as const) {
    const bad = slots[key].seq?.items.find((item) => !isScalar(item) || isAlias(item) || (typeof item.value !== 'string' && typeof item.value !== 'number'));
    if (bad !== undefined) return problem(`${key} of container ${name} holds a value that is not a plain string`);
  }
  return {
    kind: 'layout',
    layout: { text, doc, spec: specNode, containers: containersPair, container, containerName: name, ...slots },
  };
}

/** The string a scalar node holds (numbers as written), else undefined. */
export function scalarValue(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const value = node.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(node.source ?? value);
  return undefined;
}

/** The scalar items of `command` then `args`: the container's argv as Kubernetes builds it. */
export function argumentNodes(layout: ManifestLayout): { readonly node: Scalar; readonly slot: 'command' | 'args'; readonly value: string }[] {
  const take = (slot: 'command' | 'args') => (layout[slot].seq?.items ?? []).map((item) => ({ node: item as Scalar, slot, value: scalarValue(item) ?? '' }));
  return [...take('command'), ...take('args')];
}

/** A node's source offsets `[start, valueEnd, nodeEnd]` (parsed nodes always have them). */
export type SourceRange = readonly [number, number, number];

export function rangeOf(node: unknown): SourceRange | undefined {
  return isNode(node) && node.range ? node.range : undefined;
}

export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
}

function slotOf(owner: YAMLMap, key: string): SequenceSlot {
  const pair = pairOf(owner, key);
  return { owner, key, pair, seq: pair && isSeq(pair.value) ? pair.value : undefined };
}

/** `key:` with nothing after it (or an explicit null), which Kubernetes reads as an empty list. */
function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || (isScalar(value) && value.value === null);
}

function oneLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function problem(text: string): LayoutResult {
  return { kind: 'problem', problem: text };
}
