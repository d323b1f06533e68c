// src/set/ owns snapshot SETS: several targets (any VGs) that one run takes present or absent together.
// config.ts reads a config's `targets:` list (top-level fields are defaults for every member); engine.ts
// checks every member (and the set as a whole: summed space per VG, per tmp-file filesystem) before the
// first change, takes every member's lock in sorted order (no deadlock between overlapping sets), applies
// the members one after another in a fixed order (the listed order for present, reversed for absent) and,
// when a member fails during present, takes the members this run created back to absent (unless
// keepPartial). The members are snapshotted one after another, not at one instant (README, "Snapshot sets").
export { SET_KEY, isSetConfig, toTargets } from './config.js';
export { runSetApply, runSetStatus, setOverallState, type SetApplyOptions, type SetApplyReport, type SetMemberReport, type SetStatusReport, type SetRollback } from './engine.js';
export { setPreflight } from './preflight.js';
