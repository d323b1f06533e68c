// mkdir/rmdir/rm of one path without a process: the real host on a real temp dir answers exactly as the
// simulator's coreutils model (src/sim/cmd-fs.ts) does, and --json marks such commands.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { mkdirArgv, rmdirArgv, rmFileArgv } from '../../src/commands.js';
import { RealHost } from '../../src/host-real.js';
import { inProcessOp } from '../../src/in-process/ops.js';
import { rehearse } from '../../src/rehearse.js';
import { addDirs, addFile, simpleSystem } from '../../src/sim/build.js';
import { exec } from '../../src/sim/exec.js';
import { SimHost } from '../../src/sim/host.js';

const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-inproc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('in-process commands', () => {
  it('only the single-path shapes lvmsnap builds qualify', () => {
    expect(inProcessOp(mkdirArgv('/a'))).toEqual({ op: 'mkdir', tool: 'mkdir', path: '/a' });
    expect(inProcessOp(rmdirArgv('/a'))).toEqual({ op: 'rmdir', tool: 'rmdir', path: '/a' });
    expect(inProcessOp(rmFileArgv('/a'))).toEqual({ op: 'unlink', tool: 'rm', path: '/a' });
    for (const argv of [['mkdir', '-p', '/a'], ['rm', '-f', '/a'], ['rm', '--', '/a', '/b'], ['rm', '--', ''], ['mkdir', '/a'], ['losetup', '--', '/a'], ['mv', '--', '/a']])
      expect(inProcessOp(argv), argv.join(' ')).toBeNull();
  });

  it('the real host answers them without a process, with the exit code and message of coreutils (the simulator\'s)', async () => {
    const host = new RealHost();
    const sim = addFile(addDirs(simpleSystem(), [`${dir}/full`]), `${dir}/full/f`, 1);
    mkdirSync(`${dir}/full`);
    writeFileSync(`${dir}/full/f`, 'x');
    const cases: string[][] = [
      mkdirArgv(`${dir}/m`), mkdirArgv(`${dir}/m`), mkdirArgv(`${dir}/no/such`),
      rmdirArgv(`${dir}/full`), rmdirArgv(`${dir}/m`), rmdirArgv(`${dir}/m`),
      rmFileArgv(`${dir}/full`), rmFileArgv(`${dir}/full/f`), rmFileArgv(`${dir}/full/f`),
    ];
    let s = addDirs(sim, [dir]);
    for (const argv of cases) {
      const r = await host.run(argv, { mutating: true });
      const m = exec(s, argv);
      s = m.system;
      expect(r.inProcess, argv.join(' ')).toBe(true);
      expect({ exitCode: r.exitCode, stderr: r.stderr }, argv.join(' ')).toEqual({ exitCode: m.result.exitCode, stderr: m.result.stderr });
    }
    expect(existsSync(`${dir}/m`)).toBe(false);
    expect(existsSync(`${dir}/full/f`)).toBe(false);
    // Anything else is still a process.
    expect((await host.run(['true'], { mutating: false })).inProcess).toBeUndefined();
  });

  it('--json marks them "inProcess": true, --diff says so; the plan and the simulator\'s end state are unchanged', async () => {
    const T = ['--vg', 'vg0', '--lv', 'root', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap', '--size', '32M'];
    const run = async (argv: string[], host: SimHost) => {
      let out = '';
      const code = await main(argv, { host, stdout: (x) => { out += x; }, stderr: () => {}, deps: { rehearse } });
      return { code, out };
    };
    const host = new SimHost(simpleSystem({ vgFreeBytes: 0 }));
    const plan = await run(['plan', ...T], host);
    expect(plan.out).toMatch(/\$ mkdir -- \/media\/snap {2}# in-process, no mkdir process/);
    const up = await run(['apply', '--state', 'present', ...T, '--json'], host);
    expect(up.code).toBe(0);
    const cmds = (JSON.parse(up.out) as { commands: { argv: string[]; inProcess?: true }[] }).commands;
    expect(cmds.filter((c) => c.inProcess).map((c) => c.argv.join(' '))).toEqual(['mkdir -- /media/snap']);
    const down = await run(['apply', '--state', 'absent', ...T, '--json'], host);
    const dcmds = (JSON.parse(down.out) as { commands: { argv: string[]; inProcess?: true }[] }).commands;
    expect(dcmds.filter((c) => c.inProcess).map((c) => c.argv.join(' '))).toEqual(['rmdir -- /media/snap', 'rm -- /var/space/cow.img']);
    expect(dcmds.filter((c) => !c.inProcess).every((c) => !('inProcess' in c))).toBe(true);
  });
});
