import { Flags } from '@oclif/core';
import { BENCHMARK_IDS } from '../../playbook/types.js';
import { renderControlList } from '../../render/controls.js';
import { listControls } from '../../services/controls.js';
import { CisFixCommand } from '../_shared/base-command.js';

export default class ControlsList extends CisFixCommand {
  static override summary = 'List the controls of a benchmark: id, assessment, how cis-fix fixes it, title.';
  static override description =
    'FIX names the change kinds of the control\'s ensure block (file-mode, static-pod-flag, …), or "manual" when no safe automatic fix exists. "(needs parameter)" marks fixes that wait for a parameter only the user can choose.';
  static override examples = [
    '<%= config.bin %> controls list',
    '<%= config.bin %> controls list --benchmark cis-1.11 --section 4.1',
    '<%= config.bin %> controls list --section 1 --json',
  ];
  static override flags = {
    benchmark: Flags.string({ summary: 'Which benchmark.', options: [...BENCHMARK_IDS], default: 'cis-1.12' }),
    section: Flags.string({ summary: 'Only this section and its subsections (e.g. 1.1, 4, 5.2).' }),
  };

  async run() {
    const { flags } = await this.parse(ControlsList);
    const list = await listControls({
      benchmark: flags.benchmark as (typeof BENCHMARK_IDS)[number],
      ...(flags.section === undefined ? {} : { section: flags.section }),
    });
    if (!this.jsonEnabled()) this.print(renderControlList(list, this.style));
    return list;
  }
}
