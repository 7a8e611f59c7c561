import { Args, Flags } from '@oclif/core';
import { BENCHMARK_IDS } from '../../playbook/types.js';
import { renderControlDetail } from '../../render/controls.js';
import { showControl } from '../../services/controls.js';
import { CisFixCommand } from '../_shared/base-command.js';

export default class ControlsShow extends CisFixCommand {
  static override summary = 'Show one control: what kube-bench tests, what cis-fix ensures (or why it cannot), and its parameters.';
  static override examples = ['<%= config.bin %> controls show 1.1.12', '<%= config.bin %> controls show 4.2.12 --benchmark cis-1.11 --json'];
  static override args = {
    id: Args.string({ description: 'Control id, e.g. 1.2.16.', required: true }),
  };
  static override flags = {
    benchmark: Flags.string({ summary: 'Which benchmark.', options: [...BENCHMARK_IDS], default: 'cis-1.12' }),
  };

  async run() {
    const { args, flags } = await this.parse(ControlsShow);
    const detail = await showControl({ benchmark: flags.benchmark as (typeof BENCHMARK_IDS)[number], id: args.id });
    if (!this.jsonEnabled()) this.print(renderControlDetail(detail, this.style));
    return detail;
  }
}
