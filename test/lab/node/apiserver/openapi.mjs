// /openapi/v2 for kubectl: a protobuf openapi_v2.Document (gnostic) with no
// definitions (kubectl's client-side validation skips kinds it does not find)
// and, per resource, a PATCH operation with the x-kubernetes-group-version-kind
// extension and a `dryRun` query parameter, which is how kubectl 1.20 decides
// that a kind supports --dry-run=server.
import { RESOURCES } from './registry.mjs';

function varint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** A length-delimited field (strings and messages). */
function field(no, value) {
  const body = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  return Buffer.concat([varint((no << 3) | 2), varint(body.length), body]);
}

const msg = (...fields) => Buffer.concat(fields);

function patchOperation(r) {
  const dryRunParam = field(8, // Operation.parameters: ParametersItem
    field(1, // ParametersItem.parameter
      field(2, // Parameter.non_body_parameter
        field(3, // NonBodyParameter.query_parameter_sub_schema
          msg(field(2, 'query'), field(3, 'When present, indicates that modifications should not be persisted.'), field(4, 'dryRun'), field(6, 'string'))))));
  const gvkYaml = `group: "${r.group}"\nkind: ${r.kind}\nversion: ${r.version}\n`;
  const gvk = field(13, msg(field(1, 'x-kubernetes-group-version-kind'), field(2, field(2, gvkYaml))));
  const verb = field(13, msg(field(1, 'x-kubernetes-action'), field(2, field(2, 'patch\n'))));
  return msg(field(5, `patch${r.kind}`), dryRunParam, verb, gvk);
}

function resourcePath(r) {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}/{name}` : `${base}/${r.plural}/{name}`;
}

let cached;
export function openApiV2Protobuf() {
  if (cached) return cached;
  const paths = RESOURCES.filter((r) => !r.virtual).map((r) => field(2, msg(field(1, resourcePath(r)), field(2, field(8, patchOperation(r))))));
  cached = msg(field(1, '2.0'), field(2, msg(field(1, 'Kubernetes'), field(2, 'v1.33.4'))), field(8, Buffer.concat(paths)));
  return cached;
}

/** The same in JSON (for clients that ask for it). */
export function openApiV2Json() {
  const paths = {};
  for (const r of RESOURCES.filter((x) => !x.virtual)) {
    paths[resourcePath(r)] = {
      patch: {
        operationId: `patch${r.kind}`,
        parameters: [{ name: 'dryRun', in: 'query', type: 'string', uniqueItems: true, description: 'When present, indicates that modifications should not be persisted.' }],
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, kind: r.kind, version: r.version },
      },
    };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.33.4' }, paths, definitions: {} };
}
