// The simulator's model of the native add-on (SimHostOptions.nativeAddon, used by the differential check
// for runs of the package's executable): a successful umount or losetup --detach is in-process, a failed
// one ran the tool; without the option (node running the bundle) both are processes, as before.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { losetupDetachArgv, umountArgv } from '../../src/commands.js';
import { rehearse } from '../../src/rehearse.js';
import { simpleSystem } from '../../src/sim/build.js';
import { SimHost } from '../../src/sim/host.js';

const T = ['--vg', 'vg0', '--lv', 'root', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap', '--size', '32M'];
type Doc = { commands: { argv: string[]; exitCode: number; inProcess?: true }[] };

async function inProcessOfAbsent(nativeAddon: boolean): Promise<string[]> {
  const host = new SimHost(simpleSystem({ vgFreeBytes: 0 }), { nativeAddon });
  const run = async (argv: string[]) => {
    let out = '';
    expect(await main(argv, { host, stdout: (x) => { out += x; }, stderr: () => {}, deps: { rehearse } })).toBe(0);
    return JSON.parse(out) as Doc;
  };
  await run(['apply', '--state', 'present', ...T, '--json']);
  const down = await run(['apply', '--state', 'absent', ...T, '--json']);
  return down.commands.filter((c) => c.inProcess).map((c) => `${c.argv.join(' ')} => ${c.exitCode}`);
}

describe('the simulator with the native add-on', () => {
  it('absent unmounts and detaches in-process with it, with processes without it', async () => {
    expect(await inProcessOfAbsent(true)).toEqual([
      'umount -- /media/snap => 0', 'rmdir -- /media/snap => 0', 'losetup --detach /dev/loop0 => 0', 'rm -- /var/space/cow.img => 0',
    ]);
    expect(await inProcessOfAbsent(false)).toEqual(['rmdir -- /media/snap => 0', 'rm -- /var/space/cow.img => 0']);
  });

  it('a call that fails is the tool\'s: not in-process, the tool\'s exit code and message', async () => {
    const host = new SimHost(simpleSystem(), { nativeAddon: true });
    const u = await host.run(umountArgv('/media/snap'), { mutating: true });
    expect({ exitCode: u.exitCode, inProcess: u.inProcess, stderr: u.stderr }).toEqual({ exitCode: 32, inProcess: undefined, stderr: 'umount: /media/snap: no mount point specified.\n' });
    const d = await host.run(losetupDetachArgv('/dev/loop3'), { mutating: true });
    expect({ exitCode: d.exitCode, inProcess: d.inProcess }).toEqual({ exitCode: 1, inProcess: undefined });
    expect(host.calls.filter((c) => c.inProcess)).toEqual([]);
  });
});
