// Bundles the Ansible modules (src/ansible/entry-*.ts) into ONE self-contained file each, as Ansible
// copies only the module file to the host: ansible/lvmsnap/plugins/modules/<module>.js, run by Node through
// the WANT_JSON protocol. The shebang is a direct path (#!/usr/bin/node): ansible-core >= 2.17.1 quotes
// the shebang as one word, so "/usr/bin/env node" would not run; inventories override it with
// ansible_node_interpreter. YAML and pino are left out: the modules never parse YAML or log with pino.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
export const ANSIBLE_MODULES = { lvmsnap: 'src/ansible/entry-lvmsnap.ts', lvmsnap_reboot_facts: 'src/ansible/entry-reboot-facts.ts' };
const outdir = new URL('../ansible/lvmsnap/plugins/modules/', import.meta.url).pathname;

/** Bundles entry -> outfile with the module banner (also used by the npm test's simulator module). */
export async function buildModule(entry, outfile, define = {}) {
  await build({
    entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', minifySyntax: true,
    external: ['yaml', 'pino'], define: { LVMSNAP_VERSION: JSON.stringify(pkg.version), ...define }, logLevel: 'error',
    // The copied file may land under a package.json with "type": "module" (Node then loads it as an ES module,
    // without require) or not (CommonJS): the body gets its require either way, through import() (valid in both).
    banner: {
      js: `#!/usr/bin/node\n// WANT_JSON\n// lvmsnap ${pkg.version} Ansible module, built from src/ansible/ by scripts/build-ansible.mjs: do not edit.\n` +
        "(typeof require === 'function' ? Promise.resolve(require) : import('node:module').then((m) => m.createRequire(process.argv[1]))).then((require) => {",
    },
    footer: { js: '});' },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, entry] of Object.entries(ANSIBLE_MODULES)) await buildModule(entry, `${outdir}${name}.js`);
}
