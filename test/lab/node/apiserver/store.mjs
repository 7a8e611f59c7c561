// Object storage of the lab API server: every object in memory, keyed by
// resource/namespace/name, written to one JSON file after each change (temp
// file + rename, so a crash never leaves half a store). resourceVersion is a
// global counter, as etcd's revision is for a real API server.
import fs from 'node:fs';
import path from 'node:path';

/** Objects are plain JSON. */
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export class Store {
  constructor(file) {
    this.file = file;
    this.objects = new Map();
    this.rv = 0;
    this.loaded = false;
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8'));
      this.rv = data.resourceVersion;
      for (const o of data.objects) this.objects.set(o.key, o.object);
      this.loaded = true;
    } catch (e) {
      if (e.code !== 'ENOENT') throw new Error(`cannot read the store ${file}: ${e.message}`);
    }
  }

  static key(resource, namespace, name) {
    return `${resource}/${namespace ?? ''}/${name}`;
  }

  get(resource, namespace, name) {
    const o = this.objects.get(Store.key(resource, namespace, name));
    return o ? clone(o) : undefined;
  }

  /** Objects of a resource, optionally of one namespace, sorted by namespace/name. */
  list(resource, namespace) {
    const prefix = namespace ? `${resource}/${namespace}/` : `${resource}/`;
    return [...this.objects.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => clone(o));
  }

  nextResourceVersion() {
    this.rv += 1;
    return String(this.rv);
  }

  currentResourceVersion() {
    return String(this.rv);
  }

  put(resource, obj) {
    this.objects.set(Store.key(resource, obj.metadata.namespace, obj.metadata.name), clone(obj));
    this.save();
  }

  delete(resource, namespace, name) {
    this.objects.delete(Store.key(resource, namespace, name));
    this.nextResourceVersion();
    this.save();
  }

  save() {
    const data = { resourceVersion: this.rv, objects: [...this.objects.entries()].map(([key, object]) => ({ key, object })) };
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
