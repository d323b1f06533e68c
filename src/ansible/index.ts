// src/ansible/ owns the Ansible modules of the lvmsnap collection (ansible/lvmsnap/): `lvmsnap` (one target
// or a snapshot set to present/absent, with check and diff mode) and `lvmsnap_reboot_facts` (`check reboot`
// as facts). options.ts maps the snake_case options onto the config-file validation; module.ts and
// reboot-facts.ts run the same engine as the CLI and shape Ansible's result; protocol.ts is WANT_JSON.
// scripts/build-ansible.mjs bundles each entry (entry-*.ts, the only files that pick the real host) into one
// self-contained file with a #!/usr/bin/node shebang under ansible/lvmsnap/plugins/modules/.
export { runModule, type ModuleResult } from './module.js';
export { runRebootFacts } from './reboot-facts.js';
export { moduleRequest, ALL_OPTIONS, TARGET_OPTIONS } from './options.js';
export { runProtocol } from './protocol.js';
