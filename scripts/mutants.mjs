// npm run mutants: breaks the reconciler on purpose, once per invariant, and checks that the matching
// property test (or the exhaustive exploration of crash states) catches it. Each mutant is applied to the working tree, tested, then reverted.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const MUTANTS = [
  {
    property: 'after a successful present',
    why: 'mounts the snapshot without ro',
    file: 'resources/mountpoint.ts',
    from: "ext4: 'ro,noload',",
    to: "ext4: 'noload',",
  },
  {
    property: 'after a successful absent the system equals',
    why: 'forgets to remove the journal entry of the tmp file',
    file: 'resources/tmp-file.ts',
    from: "if (v.status !== 'absent') steps.push({ type: 'journal', set: {}, clear: ['tmpFile'] });",
    to: '',
  },
  {
    property: 'objects lvmsnap did not create',
    why: 'claims any LV with the snapshot name, tagged or not',
    file: 'resources/snapshot.ts',
    from: 'if (!lv.tags.includes(OWNER_TAG))',
    to: 'if (false)',
  },
  {
    property: 'after a crash at any command',
    why: 'treats an untagged PV on its own loop device (crash between vgextend and pvchange) as absent',
    file: 'resources/pv-in-vg.ts',
    from: "return tagged ? view('PvInVg', id, 'present', facts(pv)) : view('PvInVg', id, 'partial', facts(pv), 'in the VG but not yet tagged');",
    to: "return tagged ? view('PvInVg', id, 'present', facts(pv)) : view('PvInVg', id, 'absent');",
  },
  {
    property: 'no run removes or modifies the origin',
    why: 'destroys in creation order (vgreduce before lvremove)',
    file: 'src/plan.ts',
    from: 'for (let i = views.length - 1; i >= 0; i--) {\n    const v = views[i]!;\n    if (EXISTS.has(v.status)) changes.push',
    to: 'for (let i = 0; i < views.length; i++) {\n    const v = views[i]!;\n    if (EXISTS.has(v.status)) changes.push',
  },
  {
    property: 'every refusal happens before the first mutating command',
    why: 'applies the plan even when pre-flight refused it',
    file: 'src/engine.ts',
    from: 'if (planned.plan.refusals.length > 0) return',
    to: 'if (planned.plan.refusals.length > 0 && opts.check) return',
  },
  {
    property: 'after a reboot that lost the loop PV',
    why: 'does not reactivate the origin after removing the missing PV',
    file: 'resources/pv-in-vg.ts',
    from: 'if (inactive) steps.push(exec(lvActivateArgv(f.target.vg, f.target.lv)));',
    to: '',
  },
  {
    property: 'one recover leaves no lvmsnap object',
    why: 'recover does not recognise an untagged PV by its derived UUID (crash between vgextend and pvchange)',
    file: 'src/reboot/discover.ts',
    from: 'if (byUuid) byUuid.pvs.push(pv);',
    to: 'if (byUuid && false) byUuid.pvs.push(pv);',
  },
  {
    property: 'one recover leaves no lvmsnap object',
    why: 'recover ignores the mountpoint directory the journal says lvmsnap created',
    file: 'src/reboot/discover.ts',
    from: 'const mountpoint = d.journal?.createdMountpoint ?? mount?.target;',
    to: 'const mountpoint = mount?.target;',
  },
  {
    property: 'every reachable state converges both ways',
    why: 're-creates the tmp file under a stale journal identity (no fresh intent first)',
    file: 'resources/tmp-file.ts',
    from: 'if (!st) return rec?.ino === undefined && rec?.dev === undefined ? [allocate, record] : [intent, allocate, record];',
    to: 'if (!st) return [allocate, record];',
  },
  {
    property: 'every reachable state converges both ways',
    why: 'does not journal the origin\'s pending reactivation before vgreduce --removemissing',
    file: 'resources/pv-in-vg.ts',
    from: "if (inactive && !pending) steps.push({ type: 'journal', set: { reactivateOrigin: f.target.lv } });",
    to: '',
  },
  {
    property: 'every reachable state converges both ways',
    why: 'counts an invalid snapshot\'s extents as used when rebuilding it',
    file: 'src/preflight.ts',
    from: 'old && (dev === null || old.devices.every((d) => d === dev)) ? Math.ceil(old.sizeBytes / f.vg!.extentSize) : 0',
    to: '0',
  },
  {
    property: 'every reachable state converges both ways',
    why: 'does not make the mountpoint directory again after a rebuild removed it',
    file: 'resources/mountpoint.ts',
    from: '(rebuilt && removesDir(f))',
    to: 'false',
  },
];

let survived = 0;
for (const m of MUTANTS) {
  const original = readFileSync(m.file, 'utf8');
  if (!original.includes(m.from)) {
    console.error(`mutant for "${m.property}" no longer applies: ${m.file} lacks its target text`);
    process.exit(2);
  }
  writeFileSync(m.file, original.replace(m.from, m.to));
  try {
    const r = spawnSync('npx', ['vitest', 'run', 'test/property', '-t', m.property], {
      encoding: 'utf8', env: { ...process.env, PROPERTY_RUNS: process.env.PROPERTY_RUNS ?? '500' },
    });
    // A property's counterexample, or an assertion of the exhaustive exploration (not a timeout or crash).
    const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, ''); // vitest colours its output
    const killed = r.status !== 0 && /Property failed|AssertionError: after \[/.test(out);
    if (!killed) survived++;
    console.log(`${killed ? 'caught  ' : 'SURVIVED'}  ${m.property}  <- ${m.why}`);
  } finally {
    writeFileSync(m.file, original);
  }
}
console.log(`${MUTANTS.length - survived} passed, ${survived} failed`);
process.exit(survived === 0 ? 0 : 1);
