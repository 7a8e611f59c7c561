/**
 * `cis-fix schedule`: what runs `cis-fix drift` on a timer (DESIGN.md §1),
 * as text for the user to install. Pure. Paths are absolute: a timer does
 * not run in the directory the user typed the command in.
 */
export interface ScheduleOptions {
  /** The cis-fix executable, absolute. */
  readonly bin: string;
  readonly inventory: string;
  /** systemd OnCalendar expression / cron's five fields. */
  readonly calendar: string;
  readonly cron: string;
  /** Correct drift too (`--fix --yes`), not only report it. */
  readonly fix: boolean;
  readonly stateDir: string;
  /** --kubernetes: an image with cis-fix in it. */
  readonly image: string | undefined;
}

function driftArgs(o: ScheduleOptions, inventory: string): string {
  return `drift -i ${inventory}${o.fix ? ' --fix --yes' : ''} --format json`;
}

export function systemdUnits(o: ScheduleOptions): string {
  return `# /etc/systemd/system/cis-fix-drift.service
[Unit]
Description=cis-fix: find${o.fix ? ' and correct' : ''} drift from the CIS Kubernetes Benchmark
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
Environment=CIS_FIX_STATE_DIR=${o.stateDir}
Environment=NO_COLOR=1
ExecStart=${o.bin} ${driftArgs(o, o.inventory)}
# Exit 2 means drift was found and left for review: not a failure of the unit.
SuccessExitStatus=2

# /etc/systemd/system/cis-fix-drift.timer
[Unit]
Description=Run cis-fix drift on a schedule

[Timer]
OnCalendar=${o.calendar}
RandomizedDelaySec=10min
Persistent=true

[Install]
WantedBy=timers.target

# Install: save both files, then: systemctl daemon-reload && systemctl enable --now cis-fix-drift.timer
# Results: journalctl -u cis-fix-drift.service (JSON on stdout), runs in ${o.stateDir}
`;
}

export function crontabLine(o: ScheduleOptions): string {
  return `# crontab -e, then add (drift exits 2 when it found drift it did not correct; cron mails what the command prints):
${o.cron} CIS_FIX_STATE_DIR=${o.stateDir} NO_COLOR=1 ${o.bin} ${driftArgs(o, o.inventory)}
`;
}

/** The command the CronJob's container runs: the image's ENTRYPOINT (Containerfile at the repository's root). */
export const CRONJOB_COMMAND: readonly string[] = ['cis-fix'];

/** In the image, HOME and the state directory: an emptyDir, the root filesystem being read-only. */
const POD_HOME = '/home/cis-fix';
const POD_KUBECONFIG = '/etc/cis-fix-kube/kubeconfig';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The CronJob and everything it needs, as YAML documents for `kubectl apply
 * -f -`: the namespace, a ServiceAccount with the least RBAC that works, a
 * kubeconfig that uses that account's token, and the CronJob itself
 * (non-root, read-only root filesystem, never two runs at once).
 *
 * RBAC: the Lease kube-system/cis-fix (get/update by name; create cannot be
 * limited to a name), Secrets in namespace cis-fix for run records, and the
 * read-only lists the cluster controls evaluate (see
 * src/facts/cluster-facts.ts). Nothing cluster-side is writable, so with
 * `--fix` the CronJob corrects node-side drift only (`--targets
 * master,etcd,node`); cluster changes are reviewed and applied by a person.
 */
export function kubernetesCronJob(o: ScheduleOptions & { readonly image: string }): string {
  const targets = o.fix ? ' --targets master,etcd,node' : '';
  const args = `${driftArgs(o, '/etc/cis-fix-inventory/inventory.yaml')}${targets}`.split(' ');
  const yamlList = (words: readonly string[]) => `[${words.map((a) => JSON.stringify(a)).join(', ')}]`;
  return `# A CronJob running cis-fix drift from inside the cluster.
# 1. Build the image from a clone of cis-fix (the repository's root), and push it:
#      podman build -f Containerfile -t ${o.image} . && podman push ${o.image}
#      (or: docker build -f Containerfile -t ${o.image} . && docker push ${o.image})
# 2. kubectl apply -f THIS_FILE (namespace, service account, RBAC, kubeconfig, CronJob), then:
#      kubectl -n cis-fix create secret generic cis-fix-ssh --from-file=id_ed25519=KEY --from-file=known_hosts=KNOWN_HOSTS
#      kubectl -n cis-fix create configmap cis-fix-inventory --from-file=inventory.yaml=${o.inventory}
#    In that inventory: ssh identityFile /etc/cis-fix-ssh/id_ed25519, knownHostsFile /etc/cis-fix-ssh/known_hosts,
#    and cluster.kubeconfig ${POD_KUBECONFIG} (the service account's token, from the ConfigMap below).
# State: an emptyDir. Run records and the baseline are kept with the nodes and in Secrets in namespace
# cis-fix, so a fresh pod still reports "drifted since run X"; the state directory is only a cache.
${o.fix ? '# --fix: only node-side drift is corrected (--targets master,etcd,node): this RBAC can change nothing\n# through the API. Apply cluster-side changes by hand: cis-fix plan --targets policies, then apply.\n' : ''}apiVersion: v1
kind: Namespace
metadata:
  name: cis-fix
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cis-fix
  namespace: cis-fix
automountServiceAccountToken: false
---
# The apply lock: the Lease kube-system/cis-fix (create cannot be limited to one name).
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: cis-fix
  namespace: kube-system
rules:
  - { apiGroups: [coordination.k8s.io], resources: [leases], resourceNames: [cis-fix], verbs: [get, update] }
  - { apiGroups: [coordination.k8s.io], resources: [leases], verbs: [create] }
  # 4.3.1: kube-proxy's configuration, read by name.
  - { apiGroups: [""], resources: [configmaps], resourceNames: [kube-proxy], verbs: [get] }
  - { apiGroups: [apps], resources: [daemonsets], resourceNames: [kube-proxy], verbs: [get] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: cis-fix
  namespace: kube-system
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: cis-fix }
subjects:
  - { kind: ServiceAccount, name: cis-fix, namespace: cis-fix }
---
# Run records and the drift baseline: Secrets in this namespace only.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: cis-fix-records
  namespace: cis-fix
rules:
  - { apiGroups: [""], resources: [secrets], verbs: [get, list, create, update] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: cis-fix-records
  namespace: cis-fix
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: cis-fix-records }
subjects:
  - { kind: ServiceAccount, name: cis-fix, namespace: cis-fix }
---
# The cluster controls (section 5): lists only, never Secrets, never a write.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cis-fix-read
rules:
  - { apiGroups: [""], resources: [namespaces, serviceaccounts, pods, nodes], verbs: [list] }
  - { apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles, clusterrolebindings, roles, rolebindings], verbs: [list] }
  - { apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [list] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cis-fix-read
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cis-fix-read }
subjects:
  - { kind: ServiceAccount, name: cis-fix, namespace: cis-fix }
---
# A kubeconfig for the pod: the API server from inside the cluster, the projected service-account token.
apiVersion: v1
kind: ConfigMap
metadata:
  name: cis-fix-kubeconfig
  namespace: cis-fix
data:
  kubeconfig: |
    apiVersion: v1
    kind: Config
    clusters:
      - name: in-cluster
        cluster: { server: "https://kubernetes.default.svc", certificate-authority: ${SA_DIR}/ca.crt }
    users:
      - name: cis-fix
        user: { token-file: ${SA_DIR}/token }
    contexts:
      - name: in-cluster
        context: { cluster: in-cluster, user: cis-fix }
    current-context: in-cluster
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cis-fix-drift
  namespace: cis-fix
spec:
  schedule: "${o.cron}"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 0
      template:
        spec:
          restartPolicy: Never
          serviceAccountName: cis-fix
          # The token is mounted for cis-fix's own kubeconfig (the ConfigMap above); the RBAC above is all it grants.
          automountServiceAccountToken: true
          securityContext:
            runAsNonRoot: true
            runAsUser: 65532
            runAsGroup: 65532
            # The kubelet gives the mounted Secret's files this group, with read access: the key is readable by the non-root user.
            fsGroup: 65532
            seccompProfile: { type: RuntimeDefault }
          containers:
            - name: cis-fix
              image: ${o.image}
              command: ${yamlList(CRONJOB_COMMAND)}
              args: ${yamlList(args)}
              env:
                - { name: HOME, value: ${POD_HOME} }
                - { name: CIS_FIX_STATE_DIR, value: ${POD_HOME}/state }
                - { name: NO_COLOR, value: "1" }
              securityContext:
                allowPrivilegeEscalation: false
                capabilities: { drop: [ALL] }
                readOnlyRootFilesystem: true
              volumeMounts:
                - { name: inventory, mountPath: /etc/cis-fix-inventory, readOnly: true }
                - { name: ssh, mountPath: /etc/cis-fix-ssh, readOnly: true }
                - { name: kubeconfig, mountPath: /etc/cis-fix-kube, readOnly: true }
                - { name: home, mountPath: ${POD_HOME} }
                - { name: tmp, mountPath: /tmp }
          volumes:
            - { name: inventory, configMap: { name: cis-fix-inventory } }
            - { name: ssh, secret: { secretName: cis-fix-ssh, defaultMode: 0400 } }
            - { name: kubeconfig, configMap: { name: cis-fix-kubeconfig } }
            - { name: home, emptyDir: {} }
            - { name: tmp, emptyDir: { medium: Memory, sizeLimit: 64Mi } }
`;
}
