import { Flags } from '@oclif/core';
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../model/errors.js';
import { crontabLine, kubernetesCronJob, systemdUnits, type ScheduleOptions } from '../render/schedule.js';
import { stateDirectory } from '../services/state.js';
import { CisFixCommand, inventoryFlag } from './_shared/base-command.js';

export default class Schedule extends CisFixCommand {
  static override summary = 'Print what runs `cis-fix drift` on a timer: systemd units, a crontab line or a Kubernetes CronJob.';
  static override description =
    'Prints the text to install; installs nothing. Paths are made absolute, since a timer does not run where you typed the command.';
  static override examples = [
    '<%= config.bin %> schedule --systemd -i /etc/cis-fix/inventory.yaml',
    '<%= config.bin %> schedule --cron --fix',
    '<%= config.bin %> schedule --kubernetes --image registry.example.com/cis-fix:0.1.0',
  ];
  static override flags = {
    inventory: inventoryFlag,
    systemd: Flags.boolean({ summary: 'A systemd service and timer.', exactlyOne: ['systemd', 'cron', 'kubernetes'] }),
    cron: Flags.boolean({ summary: 'A crontab line.', exactlyOne: ['systemd', 'cron', 'kubernetes'] }),
    kubernetes: Flags.boolean({
      summary: 'A Kubernetes CronJob with its namespace, service account and least RBAC (needs --image, built from the Containerfile).',
      exactlyOne: ['systemd', 'cron', 'kubernetes'],
    }),
    fix: Flags.boolean({ summary: 'Correct drift too (drift --fix --yes), not only report it.' }),
    calendar: Flags.string({ summary: 'systemd OnCalendar expression.', default: 'daily' }),
    'cron-schedule': Flags.string({ summary: 'cron schedule (five fields), for --cron and --kubernetes.', default: '17 3 * * *' }),
    image: Flags.string({ summary: 'Container image with cis-fix (built from the Containerfile), for --kubernetes.' }),
  };

  async run() {
    const { flags } = await this.parse(Schedule);
    if (flags.kubernetes && !flags.image)
      throw new UserError(
        '--kubernetes needs --image: the container image the CronJob runs cis-fix from',
        [],
        [
          'Build it from a clone of cis-fix with `podman build -f Containerfile -t REGISTRY/cis-fix:TAG .` (or docker build), push it, and pass --image REGISTRY/cis-fix:TAG.',
        ],
      );
    if (flags['cron-schedule'].trim().split(/\s+/).length !== 5)
      throw new UserError(
        `--cron-schedule must have five fields, not "${flags['cron-schedule']}"`,
        [],
        ['For example --cron-schedule "17 3 * * *" (03:17 every day).'],
      );
    const options: ScheduleOptions = {
      bin: resolve(process.argv[1] ?? 'cis-fix'),
      inventory: isAbsolute(flags.inventory) ? flags.inventory : resolve(flags.inventory),
      calendar: flags.calendar,
      cron: flags['cron-schedule'].trim(),
      fix: flags.fix,
      stateDir: stateDirectory(),
      image: flags.image,
    };
    const text = flags.systemd ? systemdUnits(options) : flags.cron ? crontabLine(options) : kubernetesCronJob({ ...options, image: flags.image! });
    if (!this.jsonEnabled()) this.print(text.trimEnd());
    return { kind: flags.systemd ? 'systemd' : flags.cron ? 'cron' : 'kubernetes', text };
  }
}
