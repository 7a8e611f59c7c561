// labelSelector / fieldSelector of list requests.
import { badRequest } from './status.mjs';

function splitTop(s) {
  const out = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

/** Returns a predicate on a labels map. */
export function parseLabelSelector(text) {
  const reqs = splitTop(text ?? '').map((r) => {
    let m;
    if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(r))) {
      const values = m[3].split(',').map((v) => v.trim());
      return m[2] === 'in' ? (l) => m[1] in l && values.includes(l[m[1]]) : (l) => !(m[1] in l) || !values.includes(l[m[1]]);
    }
    if ((m = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(r))) return (l) => l[m[1]] !== m[2];
    if ((m = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(r))) return (l) => l[m[1]] === m[2];
    if ((m = /^!\s*([^\s!=]+)$/.exec(r))) return (l) => !(m[1] in l);
    if ((m = /^([^\s!=()]+)$/.exec(r))) return (l) => m[1] in l;
    throw badRequest(`unable to parse requirement: ${r}`);
  });
  return (labels) => reqs.every((f) => f(labels ?? {}));
}

const FIELDS = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace ?? '',
  'spec.nodeName': (o) => o.spec?.nodeName ?? '',
  'status.phase': (o) => o.status?.phase ?? '',
  'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
};

export function parseFieldSelector(text, resource) {
  const reqs = splitTop(text ?? '').map((r) => {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(r);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${r}'`);
    const get = FIELDS[m[1]];
    const podOnly = ['spec.nodeName', 'status.phase', 'spec.serviceAccountName'].includes(m[1]);
    if (!get || (podOnly && resource !== 'pods')) throw badRequest(`field label not supported: ${m[1]}`);
    return m[2] === '!=' ? (o) => get(o) !== m[3] : (o) => get(o) === m[3];
  });
  return (obj) => reqs.every((f) => f(obj));
}
