// Pure parsers of the read-only commands' output (see src/commands.ts). No I/O here.
export { parseFullreport, type Fullreport } from './fullreport.js';
export { parseLosetupList, parseLosetupFind } from './losetup.js';
export { parseFindmnt } from './findmnt.js';
export { parseStat } from './stat.js';
export { parseDf } from './df.js';
export { parseBlkidType } from './blkid.js';
export { parseSystemctlShow, type UnitState } from './systemctl.js';
