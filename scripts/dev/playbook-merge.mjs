// The pure part of scripts/dev/kube-bench-playbooks.mjs: merges what the
// generator writes from kube-bench's YAML into the playbook files already in
// the tree, so that re-running it never loses what engineers wrote by hand.
//
// What comes from kube-bench is regenerated; everything else is kept, byte for
// byte, in the form and with the comments it was written in:
// - a control file (playbooks/<id>/N-*.yaml): the file's head comment,
//   `benchmark`, `sections`, and per control DERIVED_CONTROL_KEYS. A control
//   that exists already keeps every other key (ensure, manual, providerManaged,
//   notes, ...) exactly as written, wherever in the benchmark it was; a new
//   control gets the generator's default. One exception: where the generator
//   can only write `audit: {source: script}`, a structured audit written by
//   hand (and the control's roles) is kept, and reported.
// - benchmark.yaml and each entry of variables.yaml: the keys the generator
//   writes are regenerated; keys it does not write (nodeReplacement, resolve,
//   from, ...) and variables it does not write are kept.
//
// It works on text: the `yaml` package's Document API says where every key
// starts (node ranges), and the merged file is assembled from whole lines of
// the two sources. Each key owns the comment and blank lines right above it,
// so comments travel with what they describe; a comment above a regenerated
// key is kept too.

import { isMap, isScalar, isSeq, parseDocument } from 'yaml';

/** The keys of a control that come from kube-bench; the generator rewrites them. */
export const DERIVED_CONTROL_KEYS = Object.freeze(['id', 'section', 'title', 'assessment', 'scope', 'roles', 'kubeBench']);

/** A source text split into lines (each keeps its newline) with the offset of each line start. */
class Source {
  constructor(text, name) {
    this.name = name;
    // A last line without its newline gets one: merged text may follow it.
    this.lines = (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((line) => (line.endsWith('\n') ? line : `${line}\n`));
    this.starts = [];
    let offset = 0;
    for (const line of this.lines) {
      this.starts.push(offset);
      offset += line.length;
    }
    const doc = parseDocument(text);
    if (doc.errors.length) throw new Error(`${name}: ${doc.errors[0].message}`);
    this.doc = doc;
  }

  lineOf(offset) {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  column(offset) {
    return offset - this.starts[this.lineOf(offset)];
  }
}

const indentOf = (line) => line.length - line.trimStart().length;
const isLead = (line, keyColumn) => line.trim() === '' || (line.trimStart().startsWith('#') && indentOf(line) <= keyColumn);
const keyName = (pair) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key));

/**
 * The pairs of a block map as whole lines of its source, lines [start, end):
 * each pair owns the comment and blank lines right above its key (`lead`) and
 * every line from its key to the next pair's lead (`body`). For the map of a
 * sequence item, the `- ` before the first key is blanked out (`dash` puts it
 * back), so that pairs can be reordered. With `head`, the lines above the
 * first key are the map's head instead of its first pair's lead.
 */
function mapParts(src, map, start, end, { item = false, head = false } = {}) {
  if (!isMap(map) || map.flow) throw new Error(`${src.name}: expected a block mapping at line ${start + 1}`);
  const keyLines = map.items.map((p) => src.lineOf(p.key.range[0]));
  const column = src.column(map.items[0].key.range[0]);
  const leadStarts = keyLines.map((line, i) => {
    const floor = i === 0 ? start : keyLines[i - 1] + 1;
    if (i === 0 && head) return line;
    let s = line;
    while (s > floor && isLead(src.lines[s - 1], column)) s--;
    return s;
  });
  const pairs = map.items.map((pair, i) => {
    const bodyEnd = i + 1 < map.items.length ? leadStarts[i + 1] : end;
    const body = src.lines.slice(keyLines[i], bodyEnd);
    if (item && i === 0) {
      const dash = column - 2;
      if (body[0].slice(dash, column) !== '- ') throw new Error(`${src.name}:${keyLines[i] + 1}: write a sequence item as "- key: ..." to merge it`);
      body[0] = `${body[0].slice(0, dash)}  ${body[0].slice(column)}`;
    }
    return { key: keyName(pair), node: pair, lead: src.lines.slice(leadStarts[i], keyLines[i]), body, keyLine: keyLines[i], end: bodyEnd };
  });
  return { src, column, head: src.lines.slice(start, leadStarts[0]), pairs };
}

/** The items of a block sequence, lines [start, end), each as the mapParts of its map. */
function seqItems(src, seq, start, end) {
  if (!isSeq(seq) || seq.flow) throw new Error(`${src.name}: expected a block sequence at line ${start + 1}`);
  const firstLines = seq.items.map((item) => {
    if (!isMap(item) || item.items.length === 0) throw new Error(`${src.name}: expected a mapping in the sequence at line ${start + 1}`);
    return src.lineOf(item.items[0].key.range[0]);
  });
  const column = firstLines.length ? src.column(seq.items[0].items[0].key.range[0]) : 0;
  const itemStarts = firstLines.map((line, i) => {
    const floor = i === 0 ? start : firstLines[i - 1] + 1;
    let s = line;
    while (s > floor && isLead(src.lines[s - 1], column)) s--;
    return s;
  });
  return seq.items.map((item, i) => mapParts(src, item, itemStarts[i], i + 1 < seq.items.length ? itemStarts[i + 1] : end, { item: true }));
}

/** Moves lines `delta` columns right (or left), leaving blank lines alone. */
function shift(lines, delta) {
  if (delta === 0) return lines;
  return lines.map((line) => {
    if (line.trim() === '') return line;
    if (delta > 0) return ' '.repeat(delta) + line;
    if (indentOf(line) < -delta) throw new Error(`cannot move "${line.trim()}" ${-delta} columns left`);
    return line.slice(-delta);
  });
}

function reindent(parts, column) {
  const delta = column - parts.column;
  if (delta === 0) return parts;
  return { ...parts, column, pairs: parts.pairs.map((p) => ({ ...p, lead: shift(p.lead, delta), body: shift(p.body, delta) })) };
}

/**
 * Merges two maps' pairs. `how(key, inGenerated)` says per key: 'generated'
 * (the generated body, under the existing lead), 'kept' (the existing pair as
 * it is), or a function (generatedPair, existingPair) → body lines. Existing
 * keys keep their order; a generated key the existing map lacks is inserted
 * after the key that precedes it in the generated map; a generated key that
 * is not 'kept' and is no longer generated is dropped.
 */
function mergePairs(gen, old, how) {
  const genByKey = new Map(gen.pairs.map((p) => [p.key, p]));
  const out = [];
  for (const o of old.pairs) {
    const g = genByKey.get(o.key);
    const rule = how(o.key, g !== undefined);
    if (rule === 'kept') out.push(o);
    else if (g === undefined) continue;
    else if (rule === 'generated') out.push({ ...o, body: g.body });
    else out.push({ ...o, body: rule(g, o) });
  }
  gen.pairs.forEach((g, i) => {
    if (out.some((p) => p.key === g.key) || how(g.key, true) === 'kept') return;
    let at = 0;
    for (let j = i - 1; j >= 0; j--) {
      const before = out.findIndex((p) => p.key === gen.pairs[j].key);
      if (before >= 0) {
        at = before + 1;
        break;
      }
    }
    out.splice(at, 0, g);
  });
  return out;
}

/** The lines of a sequence item from its pairs: the `- ` goes back before the first key. */
function itemLines(pairs, column) {
  const lines = [];
  pairs.forEach((p, i) => {
    lines.push(...p.lead);
    if (i === 0) {
      const [first, ...rest] = p.body;
      lines.push(`${first.slice(0, column - 2)}- ${first.slice(column)}`, ...rest);
    } else lines.push(...p.body);
  });
  return lines;
}

const pairLines = (pairs) => pairs.flatMap((p) => [...p.lead, ...p.body]);

/** A map pair's body: its key line, then the merge of its two nested maps. */
function nestedMap(genSrc, oldSrc, how) {
  return (g, o) => {
    const genParts = mapParts(genSrc, g.node.value, g.keyLine + 1, g.end);
    const oldParts = reindent(mapParts(oldSrc, o.node.value, o.keyLine + 1, o.end), genParts.column);
    return [g.body[0], ...oldParts.head, ...pairLines(mergePairs(genParts, oldParts, how))];
  };
}

/**
 * A file's head comment: the generator's lines, then the lines someone added
 * below them (the existing head past as many lines as the generator writes).
 */
const mergeHead = (genHead, oldHead = []) => [...genHead, ...oldHead.slice(genHead.length)];

const generatedOrKept = (_key, inGenerated) => (inGenerated ? 'generated' : 'kept');

/**
 * The controls of the existing files of one benchmark, by id: for each, the
 * file it is in, its mapParts, and its value as data.
 */
export function indexControls(files) {
  const byId = new Map();
  const order = new Map();
  const tops = new Map();
  for (const { name, text } of files) {
    const src = new Source(text, name);
    const top = mapParts(src, src.doc.contents, 0, src.lines.length, { head: true });
    tops.set(name, top);
    const controls = top.pairs.find((p) => p.key === 'controls');
    const items = controls ? seqItems(src, controls.node.value, controls.keyLine + 1, controls.end) : [];
    order.set(name, []);
    const values = src.doc.toJS().controls;
    items.forEach((parts, i) => {
      const id = String(src.doc.contents.get('controls').items[i].get('id'));
      if (byId.has(id)) throw new Error(`control ${id} is in both ${byId.get(id).file} and ${name}: keep one`);
      byId.set(id, { file: name, parts, value: values[i] });
      order.get(name).push(id);
    });
  }
  return { byId, order, tops };
}

/**
 * One control file: `generated` is what the generator writes for it, `index`
 * the benchmark's existing controls (indexControls), `generatedIds` every id
 * the generator writes for the benchmark (in any file). Existing controls of
 * this file (`name`) that kube-bench no longer has are kept after the control
 * they followed unless `dropVanished`; `orphans` (ids from files no longer
 * written) are appended. Returns the text and what it kept or found.
 */
export function mergeControlFile({ name, generated, index, generatedIds, dropVanished = false, orphans = [] }) {
  const genSrc = new Source(generated, `${name} (generated)`);
  const genTop = mapParts(genSrc, genSrc.doc.contents, 0, genSrc.lines.length, { head: true });
  const genControls = genTop.pairs.find((p) => p.key === 'controls');
  const genItems = seqItems(genSrc, genControls.node.value, genControls.keyLine + 1, genControls.end);
  const column = genItems[0]?.column ?? 4;
  const report = { kept: [], added: [], vanished: [], guidance: [], audits: [] };

  const genValues = genSrc.doc.toJS().controls;
  const ids = genItems.map((_, i) => String(genSrc.doc.contents.get('controls').items[i].get('id')));
  const vanishedHere = (index.order.get(name) ?? []).filter((id) => !generatedIds.has(id));
  const sequence = ids.map((id, i) => ({ id, gen: genItems[i] }));
  const place = (id) => {
    const mine = index.order.get(name) ?? [];
    const before = mine
      .slice(0, mine.indexOf(id))
      .reverse()
      .find((other) => sequence.some((s) => s.id === other));
    const at = before === undefined ? 0 : sequence.findIndex((s) => s.id === before) + 1;
    sequence.splice(at, 0, { id });
  };
  for (const id of vanishedHere) {
    report.vanished.push(id);
    if (!dropVanished) place(id);
  }
  for (const id of orphans) {
    report.vanished.push(id);
    if (!dropVanished) sequence.push({ id });
  }

  const items = sequence.map(({ id, gen }) => {
    const old = index.byId.get(id);
    if (!old) {
      report.added.push(id);
      return itemLines(gen.pairs, column);
    }
    const oldParts = reindent(old.parts, column);
    if (!gen) return itemLines(oldParts.pairs, column);
    report.kept.push(id);
    const genValue = genValues[ids.indexOf(id)];
    for (const block of ['manual', 'providerManaged']) {
      const kept = old.value[block]?.guidance;
      const fresh = genValue[block]?.guidance;
      if (kept !== undefined && fresh !== undefined && kept !== fresh) report.guidance.push(id);
    }
    // The generator writes `source: script` for an audit it cannot read; an engineer who described
    // it as a structured audit (with the roles it implies) knows better, so theirs is kept.
    const handAudit = genValue.kubeBench?.audit?.source === 'script' && old.value.kubeBench?.audit && old.value.kubeBench.audit.source !== 'script';
    if (handAudit) report.audits.push(id);
    const keepAudit = nestedMap(genSrc, old.parts.src, (key) => (key === 'audit' ? 'kept' : 'generated'));
    const how = (key) => {
      if (handAudit && key === 'kubeBench') return keepAudit;
      if (handAudit && key === 'roles' && 'roles' in old.value) return 'kept';
      return DERIVED_CONTROL_KEYS.includes(key) ? 'generated' : 'kept';
    };
    return itemLines(mergePairs(gen, oldParts, how), column);
  });

  const controls = () => [genControls.body[0], ...items.flat()];
  const oldTop = index.tops.get(name);
  const top = oldTop
    ? mergePairs(genTop, oldTop, (key, inGenerated) => (key === 'controls' ? controls : generatedOrKept(key, inGenerated)))
    : genTop.pairs.map((p) => (p.key === 'controls' ? { ...p, body: controls() } : p));
  return { text: [...mergeHead(genTop.head, oldTop?.head), ...pairLines(top)].join(''), report };
}

/**
 * benchmark.yaml, variables.yaml and any other file whose top-level keys the
 * generator writes: its keys are regenerated and the others kept; under
 * `nested` keys (variables.yaml's `variables`), each entry is merged the same
 * way one level down, and entries the generator does not write are kept.
 */
export function mergeKeyedFile({ name, generated, existing, nested = [] }) {
  if (existing === undefined) return generated;
  const genSrc = new Source(generated, `${name} (generated)`);
  const oldSrc = new Source(existing, name);
  const genTop = mapParts(genSrc, genSrc.doc.contents, 0, genSrc.lines.length, { head: true });
  const oldTop = mapParts(oldSrc, oldSrc.doc.contents, 0, oldSrc.lines.length, { head: true });
  const entries = nestedMap(genSrc, oldSrc, (_key, inGenerated) => (inGenerated ? nestedMap(genSrc, oldSrc, generatedOrKept) : 'kept'));
  const merged = mergePairs(genTop, oldTop, (key, inGenerated) => (nested.includes(key) && inGenerated ? entries : generatedOrKept(key, inGenerated)));
  return [...mergeHead(genTop.head, oldTop.head), ...pairLines(merged)].join('');
}
