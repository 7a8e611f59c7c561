// The lab API server's HTTPS front: TLS with the manifest's
// --tls-cert-file/--tls-private-key-file, client certificates verified
// against --client-ca-file (user = CN, groups = O), authorization
// (rbac.mjs), discovery and the resource API (api.mjs), errors as Status
// objects, and the kubelet's health endpoints (passed in) for /healthz,
// /livez, /readyz. Created by the lab kubelet while the kube-apiserver static
// pod runs on the node that holds /var/lib/lab-apiserver/cluster.json.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { Api, parsePath } from './api.mjs';
import { authorize, forbiddenMessage } from './rbac.mjs';
import { discovery } from './registry.mjs';
import { openApiV2Json, openApiV2Protobuf } from './openapi.mjs';
import { ApiError, forbidden, methodNotAllowed, pathNotFound, unauthorized } from './status.mjs';
import { Store } from './store.mjs';
import { seedObjects, mirrorPod } from './seed.mjs';

export const STATE_DIR = '/var/lib/lab-apiserver';
export const CLUSTER_FILE = `${STATE_DIR}/cluster.json`;
export const STORE_FILE = `${STATE_DIR}/store.json`;
export const VERSION = {
  major: '1', minor: '33', gitVersion: 'v1.33.4', gitCommit: '74cdb42673c7a2a1b5e26a8cef0e6c1d1d2d4ec0', gitTreeState: 'clean',
  buildDate: '2025-08-12T17:21:39Z', goVersion: 'go1.24.5', compiler: 'gc', platform: 'linux/amd64',
};

function flagValue(argv, name) {
  let value;
  for (const a of argv) if (a.startsWith(`--${name}=`)) value = a.slice(name.length + 3);
  return value;
}

export function serveApi() {
  return fs.existsSync(CLUSTER_FILE);
}

function sendJson(res, code, body, warnings = []) {
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'audit-id': randomUUID() };
  if (warnings.length) headers.warning = warnings.map((w) => `299 - "${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  res.writeHead(code, headers);
  res.end(JSON.stringify(body));
}

function userOf(req) {
  const sock = req.socket;
  if (!sock.authorized) return undefined;
  const cert = sock.getPeerCertificate();
  if (!cert?.subject?.CN) return undefined;
  const o = cert.subject.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { name: cert.subject.CN, groups: [...groups, 'system:authenticated'] };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { text += c; });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

export class LabApiServer {
  /**
   * argv: the kube-apiserver command line; health(req, res): the kubelet's
   * health handler; node: {name, ip}; manifestsDir: this node's static pods.
   */
  constructor({ argv, health, node, manifestsDir, log }) {
    this.argv = argv;
    this.health = health;
    this.node = node;
    this.manifestsDir = manifestsDir;
    this.log = log ?? (() => undefined);
    this.modes = (flagValue(argv, 'authorization-mode') ?? 'AlwaysAllow').split(',').map((s) => s.trim());
    this.store = new Store(STORE_FILE);
    if (!this.store.loaded) {
      const cluster = JSON.parse(fs.readFileSync(CLUSTER_FILE, 'utf8'));
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      for (const { resource, object } of seedObjects(cluster, now)) {
        object.metadata.resourceVersion = this.store.nextResourceVersion();
        this.store.objects.set(Store.key(resource, object.metadata.namespace, object.metadata.name), object);
      }
      this.store.save();
      this.log('I', `lab apiserver: seeded ${this.store.objects.size} objects into ${STORE_FILE}`);
    }
    this.api = new Api(this.store);
    // /version in the simulated distribution's style (+k3s1, +rke2r1, -eks-…):
    // what `cis-fix --benchmark auto` reads first.
    const version = JSON.parse(fs.readFileSync(CLUSTER_FILE, 'utf8')).version;
    this.version = { ...VERSION, ...(version ?? {}) };
    this.syncMirrorPods();
  }

  tlsOptions() {
    const read = (p) => fs.readFileSync(p);
    return {
      cert: read(flagValue(this.argv, 'tls-cert-file') ?? '/etc/kubernetes/pki/apiserver.crt'),
      key: read(flagValue(this.argv, 'tls-private-key-file') ?? '/etc/kubernetes/pki/apiserver.key'),
      ca: read(flagValue(this.argv, 'client-ca-file') ?? '/etc/kubernetes/pki/ca.crt'),
      requestCert: true,
      rejectUnauthorized: false,
    };
  }

  createServer() {
    return https.createServer(this.tlsOptions(), (req, res) => {
      this.handle(req, res).catch((e) => {
        const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${e.message}`);
        if (!(e instanceof ApiError)) this.log('E', `lab apiserver: ${req.method} ${req.url}: ${e.stack}`);
        if (!res.headersSent) sendJson(res, err.code, err.toStatus(), e.warnings ?? []);
        else res.end();
      });
    });
  }

  /** Mirror pods of this node's static pods, from the manifests as they are now. */
  syncMirrorPods() {
    if (!this.manifestsDir) return;
    let files = [];
    try {
      files = fs.readdirSync(this.manifestsDir).filter((f) => !f.startsWith('.') && /\.(ya?ml|json)$/.test(f));
    } catch { /* no manifests */ }
    const nodeObj = this.store.get('nodes', undefined, this.node.name);
    const wanted = new Map();
    for (const f of files) {
      try {
        const pod = mirrorPod(fs.readFileSync(path.join(this.manifestsDir, f), 'utf8'), this.node, nodeObj?.metadata?.uid);
        if (pod) wanted.set(pod.metadata.name, pod);
      } catch { /* invalid manifests have no mirror pod */ }
    }
    let changed = false;
    for (const existing of this.store.list('pods', 'kube-system')) {
      if (existing.spec?.nodeName !== this.node.name || !existing.metadata.annotations?.['kubernetes.io/config.mirror']) continue;
      if (!wanted.has(existing.metadata.name)) {
        this.store.objects.delete(Store.key('pods', 'kube-system', existing.metadata.name));
        this.store.nextResourceVersion();
        changed = true;
      }
    }
    for (const [name, pod] of wanted) {
      const old = this.store.get('pods', 'kube-system', name);
      if (old && old.metadata.annotations['kubernetes.io/config.hash'] === pod.metadata.annotations['kubernetes.io/config.hash']) continue;
      if (old) {
        pod.metadata.uid = old.metadata.uid;
        pod.metadata.creationTimestamp = old.metadata.creationTimestamp;
      }
      pod.metadata.resourceVersion = this.store.nextResourceVersion();
      this.store.objects.set(Store.key('pods', 'kube-system', name), pod);
      changed = true;
    }
    if (changed) this.store.save();
  }

  async handle(req, res) {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    if (['/healthz', '/livez', '/readyz'].includes(p) || /^\/(healthz|livez|readyz)\//.test(p)) return this.health(req, res);
    if (p === '/version') return sendJson(res, 200, this.version);
    let user = userOf(req);
    if (!user) throw unauthorized();
    user = this.impersonate(req, user);
    if (p === '/openapi/v2') {
      if (/protobuf/.test(req.headers.accept ?? '')) {
        res.writeHead(200, { 'content-type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' });
        return res.end(openApiV2Protobuf());
      }
      return sendJson(res, 200, openApiV2Json());
    }
    const disc = discovery(p);
    if (disc) {
      // system:discovery is bound to system:authenticated on every cluster
      if (req.method !== 'GET') throw methodNotAllowed();
      return sendJson(res, 200, disc);
    }
    const route = parsePath(p);
    if (!route || route.unknown || route.extra) throw pathNotFound();
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const verb = { GET: route.name === undefined ? (watch ? 'watch' : 'list') : 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: route.name === undefined ? 'deletecollection' : 'delete' }[req.method];
    if (!verb) throw methodNotAllowed();
    const r = route.resource;
    const attrs = {
      verb, group: r.group, resource: r.plural, subresource: route.subresource, namespace: route.namespace, name: route.name,
      qualified: r.group ? `${r.plural}.${r.group}` : r.plural,
    };
    const text = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) ? await readBody(req) : '';
    if (!authorize(this.store, this.modes, user, attrs)) {
      // name of a create comes from the body, as in the real message
      if (verb === 'create' && attrs.name === undefined) {
        try {
          attrs.name = JSON.parse(text)?.metadata?.name;
        } catch { /* yaml or invalid: no name */ }
      }
      throw forbidden(forbiddenMessage(user, attrs), r, attrs.name);
    }
    if (verb === 'watch' || verb === 'deletecollection') throw methodNotAllowed();
    // DELETE takes DeleteOptions in the body (dryRun, preconditions) as well as in the query
    let deleteOptions = {};
    if (req.method === 'DELETE' && text.trim()) {
      try {
        deleteOptions = JSON.parse(text);
      } catch (e) {
        throw new ApiError(400, 'BadRequest', `the body of the request could not be decoded as DeleteOptions: ${e.message}`);
      }
    }
    const dryRun = [...url.searchParams.getAll('dryRun'), ...(Array.isArray(deleteOptions.dryRun) ? deleteOptions.dryRun : [])];
    if (dryRun.some((d) => d !== 'All')) throw new ApiError(400, 'BadRequest', `dryRun: Unsupported value: "${dryRun.find((d) => d !== 'All')}": supported values: "All"`);
    const ua = req.headers['user-agent'] ?? 'unknown';
    const fieldManager = url.searchParams.get('fieldManager') ?? ua.split('/')[0];
    const ctx = {
      dryRun: dryRun.length > 0, fieldManager, fieldManagerGiven: url.searchParams.has('fieldManager'),
      force: url.searchParams.get('force') === 'true', warnings: [], user,
    };
    const json = (t) => {
      if (!t) throw new ApiError(400, 'BadRequest', 'the request body is empty');
      try {
        return /yaml/.test(req.headers['content-type'] ?? '') ? (JSON.parse(t)) : JSON.parse(t);
      } catch (e) {
        throw new ApiError(400, 'BadRequest', `the object provided is unrecognized (must be of type ${r.kind}): couldn't get version/kind; json parse error: ${e.message}`);
      }
    };
    if (r.virtual) {
      if (verb !== 'create') throw methodNotAllowed();
      return sendJson(res, 201, this.accessReview(r, json(text), user));
    }
    let result;
    try {
      switch (verb) {
        case 'get': result = { code: 200, object: route.subresource ? this.subresourceGet(route) : this.api.get(route) }; break;
        case 'list': result = { code: 200, object: this.api.list(route, url.searchParams, req.headers.accept) }; break;
        case 'create':
          if (route.name !== undefined) throw methodNotAllowed();
          result = this.api.create(route, json(text), ctx);
          break;
        case 'update': result = this.api.update(route, json(text), ctx); break;
        case 'patch': result = this.api.patch(route, text, req.headers['content-type'], ctx); break;
        case 'delete': result = this.api.delete(route, ctx, deleteOptions); break;
        default: throw methodNotAllowed();
      }
    } catch (e) {
      if (e instanceof ApiError) e.warnings = ctx.warnings;
      throw e;
    }
    sendJson(res, result.code, result.object, ctx.warnings);
  }

  /** Impersonate-User / Impersonate-Group headers (kubectl --as/--as-group), allowed by the `impersonate` verb. */
  impersonate(req, user) {
    const name = req.headers['impersonate-user'];
    const groupHeader = req.headers['impersonate-group'];
    if (!name && !groupHeader) return user;
    if (!name) throw new ApiError(500, 'InternalError', 'Internal error occurred: requested [{Group}] without impersonating a user');
    const groups = (Array.isArray(groupHeader) ? groupHeader : groupHeader ? String(groupHeader).split(',') : []).map((g) => g.trim()).filter(Boolean);
    for (const [resource, n] of [['users', name], ...groups.map((g) => ['groups', g])]) {
      const attrs = { verb: 'impersonate', group: '', resource, name: n, qualified: resource };
      if (!authorize(this.store, this.modes, user, attrs)) throw forbidden(forbiddenMessage(user, attrs), { plural: resource, group: '' }, n);
    }
    return { name, groups: [...groups, 'system:authenticated'] };
  }

  /** SelfSubjectAccessReview / SubjectAccessReview (kubectl auth can-i): the authorizer's answer, nothing stored. */
  accessReview(r, review, user) {
    const spec = review.spec ?? {};
    const subject = r.plural === 'subjectaccessreviews' ? { name: spec.user ?? '', groups: spec.groups ?? [] } : user;
    const ra = spec.resourceAttributes;
    const na = spec.nonResourceAttributes;
    if (!ra && !na) throw new ApiError(422, 'Invalid', `${r.kind}.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`);
    const attrs = ra
      ? { verb: ra.verb ?? '', group: ra.group ?? '', resource: ra.resource ?? '', subresource: ra.subresource || undefined, namespace: ra.namespace || undefined, name: ra.name || undefined }
      : { nonResourceURL: true, verb: na.verb ?? '', path: na.path ?? '' };
    const allowed = authorize(this.store, this.modes, subject, attrs);
    return {
      kind: r.kind, apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
      spec, status: { allowed, ...(allowed && this.modes.includes('RBAC') && !this.modes.includes('AlwaysAllow') ? { reason: 'RBAC: allowed by a binding' } : {}) },
    };
  }

  subresourceGet(route) {
    if (route.subresource !== 'status') throw pathNotFound();
    return this.api.get(route);
  }
}
