/**
 * ClusterClient: the Kubernetes API as cis-fix uses it (DESIGN.md §2), over
 * @kubernetes/client-node's KubeConfig. The kubeconfig is loaded from the
 * user's file only (exec plugins therefore run only from that file), the
 * context must exist (never an unauthenticated fallback, DESIGN.md §3), and
 * requests go through node:https with the TLS material and Authorization
 * header the library computes (`applyToHTTPSOptions`).
 *
 * Why raw requests rather than the generated APIs: one code path gives the
 * status, the `Status` body and every `Warning` header (Pod Security
 * admission's warnings on namespace label changes) for all the kinds
 * cis-fix touches, and one error mapping (cluster-status.ts).
 *
 * Invariant: nothing here logs, returns or puts into an error a token, a key
 * or a certificate: errors carry the server URL, the verb and the object.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterUnreachableError, KubeconfigError, describeRef, type ApiVerb, type ObjectRef } from '../model/cluster-errors.js';
import { LISTABLE_RESOURCES, STATE_NAMESPACE, listPath, objectPath, stateSecretPath, writeQuery, type ListableResource } from './cluster-resources.js';
import { errorForStatus } from './cluster-status.js';
import { parseWarningHeaders } from './cluster-warnings.js';
import { pickContext } from './cluster-kubeconfig.js';

/** A Kubernetes object as the API returns it: plain JSON. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly resourceVersion?: string;
    readonly uid?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** The answer to a write: the object as the server has it (or would have it, for a dry run) and its warnings. */
export interface WriteResult {
  readonly object: KubeObject;
  readonly warnings: readonly string[];
}

export interface ServerVersion {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
}

export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): admission runs, nothing is stored. */
  readonly dryRun: boolean;
}

export interface PreconditionOptions extends WriteOptions {
  /** The object must still be at this resourceVersion, else the API answers 409 (ClusterConflictError). */
  readonly resourceVersion: string | undefined;
}

export interface ClusterClient {
  /** The API server URL (safe to print). */
  readonly server: string;
  /** The kubeconfig context in use. */
  readonly context: string;
  version(): Promise<ServerVersion>;
  /** Every object of the resource in every namespace (paged). */
  list(resource: ListableResource): Promise<KubeObject[]>;
  /** Throws ClusterNotFoundError when absent. */
  get(ref: ObjectRef): Promise<KubeObject>;
  /** JSON merge patch; `resourceVersion` goes into the patch's metadata as a precondition. */
  patch(ref: ObjectRef, mergePatch: Readonly<Record<string, unknown>>, options: PreconditionOptions): Promise<WriteResult>;
  create(object: KubeObject, options: WriteOptions): Promise<WriteResult>;
  /** PUT: `object.metadata.resourceVersion` is the precondition (the API requires it). */
  replace(object: KubeObject, options: WriteOptions): Promise<WriteResult>;
  delete(ref: ObjectRef, options: PreconditionOptions): Promise<{ readonly warnings: readonly string[] }>;
  /** coordination.k8s.io/v1 Lease, undefined when absent. */
  getLease(namespace: string, name: string): Promise<KubeObject | undefined>;
  createLease(lease: KubeObject): Promise<KubeObject>;
  replaceLease(lease: KubeObject): Promise<KubeObject>;
  /**
   * cis-fix's own state (run records, the drift baseline): Secrets in the
   * namespace `cis-fix` only, created on first use. `list` takes a label
   * selector; `get` is undefined when absent; `put` creates or replaces
   * (with the object's resourceVersion as the precondition when it has one).
   * Optional so that in-memory fakes of the API need not model it.
   */
  readonly state?: StateSecrets;
}

export interface StateSecrets {
  list(labelSelector: string): Promise<KubeObject[]>;
  get(name: string): Promise<KubeObject | undefined>;
  put(secret: KubeObject): Promise<KubeObject>;
  delete(name: string): Promise<void>;
}

export interface OpenClusterClientOptions {
  /** Absolute path (the caller expands `~`). */
  readonly kubeconfig: string;
  /** Context name; undefined: the file's current-context, which must then be set. */
  readonly context: string | undefined;
  /** Per request; default 30 s. */
  readonly timeoutMs?: number;
}

/** Load the kubeconfig and select the context. Does not contact the server. */
export function openClusterClient(options: OpenClusterClientOptions): ClusterClient {
  let text: string;
  try {
    text = readFileSync(options.kubeconfig, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`cannot read kubeconfig ${options.kubeconfig}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, [
      'Set cluster.kubeconfig in the inventory to a readable kubeconfig file (or remove it to skip the API checks).',
    ]);
  }
  const kc = new KubeConfig();
  try {
    // As loadFromFile does (relative cert paths resolve beside the file); never loadFromDefault:
    // no KUBECONFIG merging and no in-cluster fallback.
    kc.loadFromString(text);
    kc.makePathsAbsolute(dirname(options.kubeconfig));
  } catch (err) {
    throw new KubeconfigError(`kubeconfig ${options.kubeconfig} is not valid: ${err instanceof Error ? err.message.split('\n')[0] : 'parse error'}`, [
      'Check the file with: kubectl config view --kubeconfig ' + options.kubeconfig,
    ]);
  }
  const picked = pickContext(
    {
      current: kc.getCurrentContext(),
      contexts: kc.getContexts().map((c) => ({ name: c.name, cluster: c.cluster, user: c.user })),
      clusters: kc.getClusters().map((c) => c.name),
      users: kc.getUsers().map((u) => u.name),
    },
    options.context,
    options.kubeconfig,
  );
  if ('problem' in picked) throw new KubeconfigError(picked.problem, picked.hints);
  kc.setCurrentContext(picked.context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeconfigError(`context ${picked.context} names no cluster in ${options.kubeconfig}`, ['Fix the context in the kubeconfig.']);
  return new HttpClusterClient(kc, cluster.server.replace(/\/+$/, ''), picked.context, options.timeoutMs ?? 30_000);
}

interface RawResponse {
  readonly status: number;
  readonly body: unknown;
  readonly warnings: string[];
}

class HttpClusterClient implements ClusterClient {
  constructor(
    private readonly kc: KubeConfig,
    readonly server: string,
    readonly context: string,
    private readonly timeoutMs: number,
  ) {}

  async version(): Promise<ServerVersion> {
    const res = await this.call('GET', '/version', undefined, undefined, { verb: 'get', target: 'the server version' });
    const body = res.body as Partial<ServerVersion>;
    return { major: String(body.major ?? ''), minor: String(body.minor ?? ''), gitVersion: String(body.gitVersion ?? '') };
  }

  async list(resource: ListableResource): Promise<KubeObject[]> {
    const type = LISTABLE_RESOURCES[resource];
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ limit: '500' });
      if (token) query.set('continue', token);
      const res = await this.call('GET', `${listPath(resource)}?${query.toString()}`, undefined, undefined, {
        verb: 'list',
        target: `${resource} (all namespaces)`,
      });
      const body = res.body as { items?: Record<string, unknown>[]; metadata?: { continue?: string } };
      // Lists omit apiVersion/kind on their items; put them back so every object is self-describing.
      for (const item of body.items ?? [])
        items.push({ ...item, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, kind: type.kind } as KubeObject);
      token = body.metadata?.continue || undefined;
    } while (token);
    return items;
  }

  async get(ref: ObjectRef): Promise<KubeObject> {
    const res = await this.call('GET', objectPath(ref), undefined, undefined, { verb: 'get', target: describeRef(ref) });
    return res.body as KubeObject;
  }

  async patch(ref: ObjectRef, mergePatch: Readonly<Record<string, unknown>>, options: PreconditionOptions): Promise<WriteResult> {
    const body = options.resourceVersion === undefined ? mergePatch : withResourceVersion(mergePatch, options.resourceVersion);
    const res = await this.call('PATCH', objectPath(ref) + writeQuery(options), body, 'application/merge-patch+json', {
      verb: 'patch',
      target: describeRef(ref),
    });
    return { object: res.body as KubeObject, warnings: res.warnings };
  }

  async create(object: KubeObject, options: WriteOptions): Promise<WriteResult> {
    const ref = refOf(object);
    const res = await this.call('POST', objectPath({ ...ref, name: undefined }) + writeQuery(options), object, 'application/json', {
      verb: 'create',
      target: describeRef(ref),
    });
    return { object: res.body as KubeObject, warnings: res.warnings };
  }

  async replace(object: KubeObject, options: WriteOptions): Promise<WriteResult> {
    const ref = refOf(object);
    const res = await this.call('PUT', objectPath(ref) + writeQuery(options), object, 'application/json', { verb: 'update', target: describeRef(ref) });
    return { object: res.body as KubeObject, warnings: res.warnings };
  }

  async delete(ref: ObjectRef, options: PreconditionOptions): Promise<{ readonly warnings: readonly string[] }> {
    const deleteOptions = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(options.dryRun ? { dryRun: ['All'] } : {}),
      ...(options.resourceVersion !== undefined ? { preconditions: { resourceVersion: options.resourceVersion } } : {}),
    };
    const res = await this.call('DELETE', objectPath(ref), deleteOptions, 'application/json', { verb: 'delete', target: describeRef(ref) });
    return { warnings: res.warnings };
  }

  async getLease(namespace: string, name: string): Promise<KubeObject | undefined> {
    const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name };
    const res = await this.call('GET', objectPath(ref), undefined, undefined, { verb: 'get', target: describeRef(ref) }, [404]);
    return res.status === 404 ? undefined : (res.body as KubeObject);
  }

  async createLease(lease: KubeObject): Promise<KubeObject> {
    return (await this.create(lease, { dryRun: false })).object;
  }

  async replaceLease(lease: KubeObject): Promise<KubeObject> {
    return (await this.replace(lease, { dryRun: false })).object;
  }

  readonly state: StateSecrets = {
    list: async (labelSelector) => {
      const query = new URLSearchParams({ labelSelector });
      const res = await this.call(
        'GET',
        `${stateSecretPath()}?${query.toString()}`,
        undefined,
        undefined,
        { verb: 'list', target: `secrets in namespace ${STATE_NAMESPACE}` },
        [404],
      );
      if (res.status === 404) return [];
      const items = (res.body as { items?: KubeObject[] }).items ?? [];
      return items.map((item) => ({ ...item, apiVersion: 'v1', kind: 'Secret' }));
    },
    get: async (name) => {
      const res = await this.call('GET', stateSecretPath(name), undefined, undefined, { verb: 'get', target: `secret ${STATE_NAMESPACE}/${name}` }, [404]);
      return res.status === 404 ? undefined : (res.body as KubeObject);
    },
    put: async (secret) => {
      const name = secret.metadata.name;
      const body = { ...secret, apiVersion: 'v1', kind: 'Secret', metadata: { ...secret.metadata, namespace: STATE_NAMESPACE } };
      if (secret.metadata.resourceVersion !== undefined) {
        return (await this.call('PUT', stateSecretPath(name), body, 'application/json', { verb: 'update', target: `secret ${STATE_NAMESPACE}/${name}` }))
          .body as KubeObject;
      }
      await this.ensureStateNamespace();
      return (await this.call('POST', stateSecretPath(), body, 'application/json', { verb: 'create', target: `secret ${STATE_NAMESPACE}/${name}` }))
        .body as KubeObject;
    },
    delete: async (name) => {
      await this.call('DELETE', stateSecretPath(name), undefined, undefined, { verb: 'delete', target: `secret ${STATE_NAMESPACE}/${name}` }, [404]);
    },
  };

  /** The state namespace, created (labelled as cis-fix's) when it does not exist yet. */
  private async ensureStateNamespace(): Promise<void> {
    const ref = { apiVersion: 'v1', kind: 'Namespace', name: STATE_NAMESPACE };
    const found = await this.call('GET', objectPath(ref), undefined, undefined, { verb: 'get', target: describeRef(ref) }, [404]);
    if (found.status !== 404) return;
    // It holds Secrets and never a pod: the strictest Pod Security level, so that cis-fix's own namespace
    // never fails the section 5 controls it enforces (a run's re-check and the next plan stay clean).
    const labels = {
      'app.kubernetes.io/managed-by': 'cis-fix',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    };
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: STATE_NAMESPACE, labels } };
    // 409: another run created it a moment ago.
    await this.call(
      'POST',
      objectPath({ apiVersion: 'v1', kind: 'Namespace' }),
      namespace,
      'application/json',
      { verb: 'create', target: describeRef(ref) },
      [409],
    );
  }

  /** One request. Non-2xx answers throw the mapped error unless listed in `allow`. */
  private async call(
    method: string,
    path: string,
    body: unknown,
    contentType: string | undefined,
    what: { verb: ApiVerb; target: string },
    allow: readonly number[] = [],
  ): Promise<RawResponse> {
    const url = new URL(this.server + path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // Content-Length always: node sends a DELETE body neither chunked nor sized otherwise, and the server would not read it.
    const headers = {
      Accept: 'application/json',
      ...(contentType ? { 'Content-Type': contentType } : {}),
      ...(payload !== undefined ? { 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
    };
    const options: https.RequestOptions = { method, headers, timeout: this.timeoutMs };
    try {
      await this.kc.applyToHTTPSOptions(options);
    } catch (err) {
      // An exec/auth plugin failed: its message may quote the command, never the token.
      throw new ClusterUnreachableError(
        this.server,
        `could not obtain credentials for context ${this.context}: ${err instanceof Error ? err.message.split('\n')[0] : 'authentication plugin failed'}`,
        ["Run the kubeconfig's authentication plugin by hand (kubectl --context … get --raw /version) and fix what it reports."],
      );
    }
    const res = await send(url, options, payload).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ClusterUnreachableError(
        this.server,
        `${method} ${url.pathname} failed: ${code ?? (err instanceof Error ? err.message : 'network error')}`,
        [],
        { cause: err },
      );
    });
    if ((res.status >= 200 && res.status < 300) || allow.includes(res.status)) return res;
    throw errorForStatus(res.status, res.body, { ...what, server: this.server });
  }
}

function send(url: URL, options: https.RequestOptions, payload: string | undefined): Promise<RawResponse> {
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // Not JSON (a proxy's error page): kept as text for the error message.
        }
        const warnings: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          if (res.rawHeaders[i]?.toLowerCase() === 'warning') warnings.push(res.rawHeaders[i + 1] ?? '');
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, warnings: parseWarningHeaders(warnings) });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    if (payload !== undefined) req.end(payload);
    else req.end();
  });
}

function refOf(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

/** The merge patch with `metadata.resourceVersion` set: the API then refuses it with 409 when the object moved on. */
export function withResourceVersion(mergePatch: Readonly<Record<string, unknown>>, resourceVersion: string): Record<string, unknown> {
  const metadata = mergePatch['metadata'];
  return { ...mergePatch, metadata: { ...(metadata !== null && typeof metadata === 'object' ? metadata : {}), resourceVersion } };
}
