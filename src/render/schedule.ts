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

export function kubernetesCronJob(o: ScheduleOptions & { readonly image: string }): string {
  return `# A CronJob running cis-fix drift from inside the cluster. Create first:
#   kubectl -n cis-fix create secret generic cis-fix-ssh --from-file=id_ed25519=KEY --from-file=known_hosts=KNOWN_HOSTS
#   kubectl -n cis-fix create configmap cis-fix-inventory --from-file=inventory.yaml=${o.inventory}
# (the inventory's identityFile and knownHostsFile must then be /etc/cis-fix-ssh/id_ed25519 and /etc/cis-fix-ssh/known_hosts)
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
          automountServiceAccountToken: false
          securityContext:
            runAsNonRoot: true
            runAsUser: 65532
            seccompProfile: { type: RuntimeDefault }
          containers:
            - name: cis-fix
              image: ${o.image}
              args: [${driftArgs(o, '/etc/cis-fix-inventory/inventory.yaml').split(' ').map((a) => JSON.stringify(a)).join(', ')}]
              env:
                - { name: CIS_FIX_STATE_DIR, value: /var/lib/cis-fix-state }
                - { name: NO_COLOR, value: "1" }
              securityContext:
                allowPrivilegeEscalation: false
                capabilities: { drop: [ALL] }
                readOnlyRootFilesystem: true
              volumeMounts:
                - { name: inventory, mountPath: /etc/cis-fix-inventory, readOnly: true }
                - { name: ssh, mountPath: /etc/cis-fix-ssh, readOnly: true }
                - { name: state, mountPath: /var/lib/cis-fix-state }
          volumes:
            - { name: inventory, configMap: { name: cis-fix-inventory } }
            - { name: ssh, secret: { secretName: cis-fix-ssh, defaultMode: 0400 } }
            # Journals and baseline.json must outlive the pod: use a PersistentVolumeClaim in production.
            - { name: state, emptyDir: {} }
`;
}
