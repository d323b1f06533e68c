// Milliseconds on a monotonic clock, for measuring how long something took (differences only).
// process.hrtime rather than performance.now(): the first read of the `performance` global loads
// node's perf_hooks (about a tenth of a bare node start), which a short lvmsnap run does not need.
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
