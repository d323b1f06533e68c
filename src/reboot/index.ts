// src/reboot/ owns reboot safety without a target: the system-wide observation (observe-host.ts), the
// discovery of every lvmsnap chain from what lvmsnap leaves behind (discover.ts), the reboot hazards
// (hazards.ts, `check reboot`) and `recover` (recover.ts), which takes every chain to absent through the
// ordinary planner and applier. The shutdown guard's unit names are in src/systemd-units.ts; starting the
// guard is a step of the `present` plan (src/plan.ts). The CLI renders these reports (src/cli/render-reboot.ts).
export { runCheckReboot, type CheckRebootReport } from './check.js';
export { runRecover, type RecoverReport, type RecoverOptions } from './recover.js';
export { discoverChains, type Chain, type Discovery } from './discover.js';
export { analyzeHazards, type Hazard, type HazardKind } from './hazards.js';
export { observeHost, type HostView } from './observe-host.js';
