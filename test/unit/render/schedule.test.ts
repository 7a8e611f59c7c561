import { parseAllDocuments } from 'yaml';
import { crontabLine, kubernetesCronJob, systemdUnits, type ScheduleOptions } from '../../../src/render/schedule.js';

const options: ScheduleOptions = {
  bin: '/opt/cis-fix/bin/run.js',
  inventory: '/etc/cis-fix/inventory.yaml',
  calendar: 'daily',
  cron: '17 3 * * *',
  fix: false,
  stateDir: '/var/lib/cis-fix-state',
  image: undefined,
};

describe('schedule', () => {
  it('systemd: a oneshot service running drift with absolute paths, exit 2 not a failure, and its timer', () => {
    const text = systemdUnits(options);
    expect(text).toContain('ExecStart=/opt/cis-fix/bin/run.js drift -i /etc/cis-fix/inventory.yaml --format json\n');
    expect(text).toContain('SuccessExitStatus=2');
    expect(text).toContain('OnCalendar=daily');
    expect(systemdUnits({ ...options, fix: true })).toContain('drift -i /etc/cis-fix/inventory.yaml --fix --yes --format json');
  });

  it('cron: one line, five schedule fields first', () => {
    const line = crontabLine(options).trim().split('\n').pop()!;
    expect(line.split(' ').slice(0, 5)).toEqual(['17', '3', '*', '*', '*']);
    expect(line).toContain('CIS_FIX_STATE_DIR=/var/lib/cis-fix-state');
  });

  it('kubernetes: a valid CronJob that would pass the restricted Pod Security level, never running twice at once', () => {
    const docs = parseAllDocuments(kubernetesCronJob({ ...options, image: 'registry.example.com/cis-fix:0.1.0', fix: true })).map(
      (d) => d.toJS() as { kind: string },
    );
    const job = docs.find((d) => d.kind === 'CronJob') as {
      kind: string;
      spec: {
        schedule: string;
        concurrencyPolicy: string;
        jobTemplate: {
          spec: {
            template: {
              spec: { securityContext: Record<string, unknown>; containers: { image: string; args: string[]; securityContext: Record<string, unknown> }[] };
            };
          };
        };
      };
    };
    expect(job.kind).toBe('CronJob');
    expect(job.spec).toMatchObject({ schedule: '17 3 * * *', concurrencyPolicy: 'Forbid' });
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]).toMatchObject({
      image: 'registry.example.com/cis-fix:0.1.0',
      args: ['drift', '-i', '/etc/cis-fix-inventory/inventory.yaml', '--fix', '--yes', '--format', 'json', '--targets', 'master,etcd,node'],
    });
    expect(pod.containers[0]!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });
});
