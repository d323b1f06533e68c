// Pure parsers of the read-only commands' output (see src/commands.ts) and of the kernel's views
// (/proc/self/mountinfo, /sys/block/loop*) the host port reads. No I/O here.
export { parseFullreport, type Fullreport } from './fullreport.js';
export { parseLosetupList, parseLosetupFind } from './losetup.js';
export { parseFindmnt } from './findmnt.js';
export { parseStat } from './stat.js';
export { parseBlkidType, parseBlkidValues } from './blkid.js';
export { parseSystemctlShow, type UnitState } from './systemctl.js';
export { parseMountinfo } from './mountinfo.js';
export { parseSysfsLoops, type SysfsLoopInfo, type SysfsLoops } from './sysfs-loop.js';
