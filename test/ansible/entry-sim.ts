// TEST-ONLY module entry (never shipped): the lvmsnap module's code (src/ansible/) with the simulator as its
// host, loaded from and saved to the JSON file named by LVMSNAP_TEST_SIM_FILE. test/ansible/playbook.test.ts
// bundles it as `lvmsnap_sim` / `lvmsnap_reboot_facts_sim` into a temporary library directory; the shipped
// modules (src/ansible/entry-*.ts) have no such switch.
import { runModule, runProtocol, runRebootFacts } from '../../src/ansible/index.js';
import { rehearse } from '../../src/rehearse.js';
import { loadSimHost } from '../../src/sim/persisted.js';

declare const LVMSNAP_TEST_MODULE: 'lvmsnap' | 'lvmsnap_reboot_facts';

void runProtocol(async (args) => {
  const file = process.env['LVMSNAP_TEST_SIM_FILE'];
  if (!file) return { failed: true, msg: 'test module: LVMSNAP_TEST_SIM_FILE is not set' };
  const { host, save } = await loadSimHost(file);
  const result = LVMSNAP_TEST_MODULE === 'lvmsnap' ? await runModule(args, { host, rehearse }) : await runRebootFacts(args, { host });
  await save();
  return result;
});
