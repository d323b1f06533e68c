# shellcheck shell=bash
# Helper library of the real-LVM tier, sourced in the guest by test/real/suite.sh (and by the
# capture/demo/bench scripts). It builds the simulator's simpleSystem() for real, runs the real
# CLI with every command recorded, captures the real end state after each run, and asserts.
#
# What a scenario gets:
#   setup_system FSTYPE VGMODE   fresh system: vg0 on /dev/vda, LV root 100 MiB FSTYPE (ext4|xfs)
#                                mounted at /mnt/root, 200 MiB tmpfs at /var/space, /media;
#                                VGMODE=full fills the VG with an LV "filler" (no free extents)
#   lvmsnap [opts] -- ARGS...    run the real CLI; opts: --kill K (LVMSNAP_TEST_KILL_AFTER=K),
#                                --expect RC, --bg (background; then cli_wait), --lock-held
#                                (tells the differential another run held the lock)
#                                Sets RC, OUT, ERR (files), STEP (its trace folder)
#   dump_state FILE              normalized dump of everything lvmsnap could touch
#   assert_* / fail              print what failed and end the scenario (exit 1)
#
# Trace (read by test/real/differential.ts on the host): $TRACE_ROOT/<scenario>/<NNN>/ (the guest's
# tmpfs; suite.sh packs each finished unit into $VM_OUT/trace/<unit>.tar, vm.sh unpacks it into
# <out>/trace/<scenario>/ on the host) with
#   kind        setup | cli | event
#   args        setup: "fstype=ext4 vg=full"; event: its name and arguments
#   argv        cli: lvmsnap's arguments, NUL-separated
#   kill        cli: K, or empty
#   lockheld    cli: present when another run held the lock on purpose
#   rc stdout stderr ms
#   cmds        every command the CLI spawned (test/real/shim.c format)
#   state/      the real system right after the run (raw outputs of the tools lvmsnap parses)

VG=vg0
LV=root
SNAP=root-lvmsnap
DISK=/dev/vda
ORIGIN_MNT=/mnt/root
SPACE=/var/space
TMPF=$SPACE/cow.img
OTHERF=$SPACE/other.img
MNT=/media/snap
STATE_DIR=/var/lib/lvmsnap
JOURNAL=$STATE_DIR/$VG/$SNAP.json
LOCK=/run/lock/lvmsnap/$VG-$SNAP.lock
SHIM_DIR=/run/lvmsnap-shim
CLI=${LVMSNAP_CLI:-$VM_REPO/bin/lvmsnap.cjs}
# Targets: the tmp-file chain (VG full) and VG free space, both mounted at /media/snap.
T_TMP=(--vg "$VG" --lv "$LV" --tmp-file "$TMPF" --mountpoint "$MNT")
T_FREE=(--vg "$VG" --lv "$LV" --mountpoint "$MNT")
# Paths stat'ed into every state capture (same format as lvmsnap's own stat).
STAT_PATHS=("$TMPF" "$OTHERF" "$SPACE" "$MNT" /media "$ORIGIN_MNT")
STAT_FORMAT=$'%n\t%F\t%d\t%i\t%s\t%m\n'
# The tools lvmsnap runs; each gets a recording shim (test/real/shim.c).
# Tools outside this list are not recorded; the differential then finds them in --json "commands"
# but not in the shim's log, and fails.
SHIM_TOOLS=(lvm losetup findmnt stat df blkid fallocate dd rm truncate pvcreate pvremove vgextend pvchange
	vgreduce vgchange lvcreate lvremove lvchange pvs vgs lvs dmsetup wipefs mkdir rmdir mount umount sync)

# The trace is written to the guest's own tmpfs: a file on the results share (9p) costs ~50 ms to
# write and each lookup ~70 ms under TCG. suite.sh packs each finished unit's trace into
# $VM_OUT/trace/<unit>.tar, which vm.sh unpacks on the host.
TRACE_ROOT=/tmp/trace
TRACE=
STEP=
RC=
OUT=
ERR=
WRITER_PID=

# ---- assertions --------------------------------------------------------------------------------

fail() {
	printf 'ASSERT FAILED: %s\n' "$*" >&2
	exit 1
}

assert_eq() { # EXPECTED ACTUAL WHAT
	[[ $1 == "$2" ]] || fail "$3: expected [$1], got [$2]"
}

assert_rc() { # EXPECTED WHAT  (of the last lvmsnap call)
	if [[ $RC != "$1" ]]; then
		printf -- '--- stdout of %s\n' "$STEP" >&2
		head -c 3000 "$OUT" >&2 || true
		printf -- '--- stderr\n' >&2
		tail -c 3000 "$ERR" >&2 || true
		fail "$2: lvmsnap exited $RC, expected $1"
	fi
}

assert_contains() { # FILE... TEXT WHAT  (found in any of the files)
	local files=("${@:1:$#-2}") text=${*: -2:1} what=${*: -1}
	grep -qF -- "$text" "${files[@]}" || {
		printf -- '--- %s\n' "${files[@]}" >&2
		head -c 3000 "${files[@]}" >&2
		fail "$what: [$text] not found in $(basename -a "${files[@]}" | tr '\n' ' ')"
	}
}

# VAR := the first line of FILE ('' when it does not exist), without a process.
read_line() { # VAR FILE
	local -n _rl=$1
	_rl=
	[[ ! -f $2 ]] || read -r _rl <"$2" || true
}

assert_exists() { [[ -e $1 || -L $1 ]] || fail "$2: $1 does not exist"; }
assert_missing() { [[ ! -e $1 && ! -L $1 ]] || fail "$2: $1 exists"; }

# jq expression over the last --json output must print EXPECTED.
assert_json() { # EXPR EXPECTED WHAT
	local got
	got=$(jq -r "$1" "$OUT" 2>&1) || fail "$3: stdout is not JSON ($got)"
	[[ $got == "$2" ]] || {
		head -c 3000 "$OUT" >&2
		fail "$3: jq '$1' gave [$got], expected [$2]"
	}
}

# Number of mutating commands the CLI actually spawned (from the shim log).
mutating_count() {
	local -a m
	mutating_list m "$STEP/cmds"
	echo "${#m[@]}"
}

assert_no_mutation() { # WHAT
	local got
	# One jq for both: .changed and the number of commands --json marks mutating.
	got=$(jq -r '"\(.changed) \([.commands[] | select(.mutating)] | length)"' "$OUT" 2>&1) || fail "$1: stdout is not JSON ($got)"
	[[ ${got% *} == false ]] || { head -c 3000 "$OUT" >&2; fail "$1: changed: jq '.changed' gave [${got% *}], expected [false]"; }
	[[ ${got#* } == 0 ]] || { head -c 3000 "$OUT" >&2; fail "$1: commands with mutating:true: ${got#* }, expected 0"; }
	local -a m
	mutating_list m "$STEP/cmds"
	((${#m[@]} == 0)) || fail "$1: the shim saw ${#m[@]} changing commands: $(printf '%s;' "${m[@]}")"
}

assert_same_file() { # EXPECTED ACTUAL WHAT
	if ! cmp -s "$1" "$2"; then
		diff -u "$1" "$2" | head -n 80 >&2 || true
		fail "$3 ($1 vs $2)"
	fi
}

# ---- commands recorded by the shim -------------------------------------------------------------

# A command line from the shim log, one per line, fields joined by spaces; only the ones that
# change the system (what lvmsnap must mark mutating:true). Read-only: lvm (fullreport, or the lvm
# shell itself: its lines are logged as commands of their own), fullreport (an apply's report as a line
# of its lvm shell), lastlog (asked in an lvm shell after a failed command), pvs, vgs, lvs,
# losetup --list/--find, findmnt, stat, df, blkid.
mutating_argvs() { # CMDS_FILE
	local -a m
	mutating_list m "$1"
	((${#m[@]} == 0)) || printf '%s\n' "${m[@]}"
}

# The same into an array, in bash alone: the tier asks after every run, and under TCG a process
# costs ~0.2 s.
mutating_list() { # ARRAY_NAME CMDS_FILE
	local -n _ml=$1
	local _rec _argv _cmd _a1 _a2 _x
	local -a _recs
	_ml=()
	[[ -s $2 ]] || return 0
	mapfile -d $'\036' -t _recs <"$2"
	for _rec in "${_recs[@]}"; do
		[[ $_rec == S$'\t'* ]] || continue
		_argv=${_rec#S$'\t'*$'\t'}
		_argv=${_argv%%$'\t'*}
		_cmd=${_argv//$'\037'/ }
		read -r _a1 _a2 _x <<<"$_cmd"
		case $_a1 in
		lvm | fullreport | lastlog | findmnt | stat | df | blkid | pvs | vgs | lvs) continue ;;
		losetup) [[ $_a2 == --list || $_a2 == --find ]] && continue ;;
		esac
		_ml+=("$_cmd")
	done
}

install_shims() {
	local shim=${LVMSNAP_SHIM:-} t
	[[ -n $shim && -x $shim ]] || fail "no command recorder: LVMSNAP_SHIM=$shim (run-all.sh builds it)"
	mkdir -p "$SHIM_DIR"
	for t in "${SHIM_TOOLS[@]}"; do ln -sfn "$shim" "$SHIM_DIR/$t"; done
}

# ---- trace ---------------------------------------------------------------------------------------

scenario_begin() { # NAME
	TRACE=$TRACE_ROOT/$1
	[[ ! -e $TRACE ]] || rm -rf "$TRACE"
	mkdir -p "$TRACE"
	echo 0 >"$TRACE/.n"
}

# The step counter is a file (a run in a subshell counts too); read and written with builtins.
# state: the step will capture a state; its folder is made by the same mkdir.
next_step() { # KIND [state] -> sets STEP
	local n
	read -r n <"$TRACE/.n"
	n=$((n + 1))
	echo "$n" >"$TRACE/.n"
	printf -v STEP '%s/%03d' "$TRACE" "$n"
	mkdir -p "$STEP${2:+/state}"
	printf '%s\n' "$1" >"$STEP/kind"
}

# An event changes the system outside lvmsnap (a foreign object, a reboot): its state is captured.
trace_event() { # NAME [ARGS...]
	next_step event state
	printf '%s\n' "$*" >"$STEP/args"
	capture_state "$STEP/state"
}

# ---- the real CLI ----------------------------------------------------------------------------------

# Milliseconds since the epoch, from bash itself (`date` is a process: ~0.2 s under TCG).
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo "${t%???}"; }

# sleep SECONDS without exec'ing sleep (~0.2 s under TCG): read -t on a pipe nobody writes to,
# opened read-write so it never reaches end of file. Costs one fork, leaves no fd open.
nap() { # SECONDS
	read -r -t "$1" _ <> <(:) || true
}

# lvmsnap [--kill K] [--expect RC] [--bg] [--lock-held] [--no-state] -- ARGS...
lvmsnap() {
	local kill='' expect='' bg=0 lockheld=0 state=1
	while (($#)); do
		case $1 in
		--kill) kill=$2; shift 2 ;;
		--expect) expect=$2; shift 2 ;;
		--bg) bg=1; shift ;;
		--lock-held) lockheld=1; shift ;;
		--no-state) state=0; shift ;;
		--) shift; break ;;
		*) fail "lvmsnap helper: unknown option $1" ;;
		esac
	done
	if ((state && !bg)); then next_step cli state; else next_step cli; fi
	printf '%s\0' "$@" >"$STEP/argv"
	[[ -z ${VM_OUT:-} ]] || printf '  step %s: lvmsnap %s%s\n' "${STEP##*/}" "$*" "${kill:+ (killed after $kill)}" >>"$VM_OUT/progress"
	printf '%s\n' "$kill" >"$STEP/kill"
	((lockheld)) && : >"$STEP/lockheld"
	# The executable's native add-on (src/native/) beside the executable that runs (the package's launcher
	# runs /usr/libexec/lvmsnap/lvmsnap): the differential's simulator then models it too.
	local exe=$CLI
	[[ $exe != /usr/sbin/lvmsnap ]] || exe=/usr/libexec/lvmsnap/lvmsnap
	[[ $exe == *.mjs || $exe == *.cjs || $exe == *.js || ! -f ${exe%/*}/lvmsnap-sys.node ]] || : >"$STEP/native"
	OUT=$STEP/stdout ERR=$STEP/stderr
	if ((bg)); then
		_cli_run "$STEP" "$kill" "$@" &
		BG_PID=$! BG_STEP=$STEP
		return 0
	fi
	_cli_run "$STEP" "$kill" "$@"
	read -r RC <"$STEP/rc"
	((state)) && capture_after "$STEP"
	[[ -z $expect ]] || assert_rc "$expect" "lvmsnap $*"
	return 0
}

_cli_run() { # STEP KILL ARGS...
	local step=$1 kill=$2 t0 t1 rc=0 CLI_RUN=(node "$CLI")
	# A JavaScript file runs under node; anything else (the installed executable) runs itself.
	[[ $CLI == *.mjs || $CLI == *.cjs || $CLI == *.js ]] || CLI_RUN=("$CLI")
	shift 2
	t0=${EPOCHREALTIME/[.,]/}
	# The subshell's own stderr is dropped: it only carries bash's "Killed" notice for killed runs.
	(env PATH="$SHIM_DIR:$PATH" LVMSNAP_SHIM_DIR="$SHIM_DIR" LVMSNAP_SHIM_LOG="$step/cmds" \
		${kill:+LVMSNAP_TEST_KILL_AFTER=$kill} \
		"${CLI_RUN[@]}" "$@" </dev/null >"$step/stdout" 2>"$step/stderr") 2>/dev/null || rc=$?
	t1=${EPOCHREALTIME/[.,]/}
	echo $(((t1 - t0) / 1000)) >"$step/ms"
	echo "$rc" >"$step/rc"
}

# After `lvmsnap --bg`: wait for it; sets RC/OUT/ERR/STEP to that run.
cli_wait() { # [STEP_OF_BG_RUN PID]
	local step=${1:-$BG_STEP} pid=${2:-$BG_PID}
	wait "$pid" || true
	STEP=$step OUT=$step/stdout ERR=$step/stderr
	read -r RC <"$step/rc"
}

# State after a run: skipped (copied from the step just before, when that one has a capture) only
# when the run provably changed nothing: --json says changed:false and the shim saw no changing
# command, and the step before was not a killed run (whose stale lock file a no-op run removes).
capture_after() { # STEP
	local step=$1 n prev prc='' changed
	local -a m
	n=${step##*/}
	printf -v prev '%s/%03d' "$TRACE" $((10#$n - 1))
	[[ -f $prev/rc ]] && read -r prc <"$prev/rc"
	# Cheapest test first (bash alone); jq only for a run that spawned no changing command.
	mutating_list m "$step/cmds"
	if [[ -d $prev/state && $prc != 137 && -s $step/stdout ]] && ((${#m[@]} == 0)) &&
		changed=$(jq -r '.changed' "$step/stdout" 2>/dev/null) && [[ $changed == false ]]; then
		if [[ -d $step/state ]]; then cp -r "$prev/state/." "$step/state/"; else cp -r "$prev/state" "$step/state"; fi
		: >"$step/state/copied"
	else
		capture_state "$step/state"
	fi
}

# Sorts an array in place (insertion sort in bash: the lists are a few lines, and `sort` is a
# process). Byte order (LC_ALL=C), as the dumps compared with each other are all made here.
sort_lines() { # ARRAY_NAME
	local -n _sl=$1
	local LC_ALL=C _i _j _v
	for ((_i = 1; _i < ${#_sl[@]}; _i++)); do
		_v=${_sl[_i]}
		for ((_j = _i - 1; _j >= 0; _j--)); do
			[[ ${_sl[_j]} > $_v ]] || break
			_sl[_j + 1]=${_sl[_j]}
		done
		_sl[_j + 1]=$_v
	done
}

# FILE's bytes into OUT with builtins (no process): mapfile keeps each line's newline.
copy_text() { # FILE OUT
	local -a _l
	mapfile _l <"$1" || return 1
	printf '%s' "${_l[@]}" >"$2"
}

# Raw outputs of the tools lvmsnap parses, with lvmsnap's own argv, plus what else can leak.
# Under TCG each process costs ~0.2 s (lvm ~0.7 s): what bash can read itself (/proc, /sys, the
# state files) it reads with builtins.
capture_state() { # DIR
	local d=$1 f p y rest
	local -a files _c
	[[ -d $d ]] || mkdir -p "$d"
	lvm fullreport --units b --nosuffix --reportformat json >"$d/fullreport.json" 2>"$d/fullreport.stderr" || true
	losetup --list --json >"$d/losetup.json" 2>&1 || true
	findmnt --json --output TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN >"$d/findmnt.json" 2>&1 || true
	stat --printf "$STAT_FORMAT" -- "${STAT_PATHS[@]}" >"$d/stat.txt" 2>/dev/null || true
	# What lvmsnap itself reads instead of findmnt and losetup (compared with the simulator's views).
	copy_text /proc/self/mountinfo "$d/mountinfo" || true
	sysfs_loop_dump >"$d/sysfs-loop.txt"
	mapfile -t _c < <(dmsetup table 2>&1 || true)
	sort_lines _c
	((${#_c[@]} == 0)) || printf '%s\n' "${_c[@]}" >"$d/dmsetup.txt"
	[[ -f $d/dmsetup.txt ]] || : >"$d/dmsetup.txt"
	mapfile -t files < <(find "$SPACE" /media "$STATE_DIR" /run/lock/lvmsnap -mindepth 1 \( -type d -name lost+found -prune \) -o \
		-printf '%p %y %m %u %s\n' 2>/dev/null || true)
	sort_lines files
	((${#files[@]} == 0)) || printf '%s\n' "${files[@]}" >"$d/files.txt"
	[[ -f $d/files.txt ]] || : >"$d/files.txt"
	# The state files' contents, in the order of files.txt (sorted paths).
	{
		for f in "${files[@]}"; do
			read -r p y rest <<<"$f"
			[[ $y == f && $p == "$STATE_DIR"/* ]] || continue
			printf '## %s\n' "$p"
			_c=()
			mapfile _c <"$p" && printf '%s' "${_c[@]}"
		done
	} >"$d/statefiles.txt"
	if [[ -f $JOURNAL ]]; then copy_text "$JOURNAL" "$d/journal.json"; fi
}

# `head -v -n 1000 -- /sys/block/loop*/dev /sys/block/loop*/size /sys/block/loop*/loop/*` (the
# format test/parse/kernel-fixtures.ts reads) with builtins: "==> FILE <==", its content, and a
# blank line between files.
sysfs_loop_dump() {
	local f sep=''
	local -a _c paths
	paths=(/sys/block/loop*/dev /sys/block/loop*/size /sys/block/loop*/loop/*)
	for f in "${paths[@]}"; do
		[[ -f $f ]] || continue
		_c=()
		mapfile _c 2>/dev/null <"$f" || continue
		printf '%s==> %s <==\n' "$sep" "$f"
		printf '%s' "${_c[@]}"
		sep=$'\n'
	done
}

# Normalized dump of a captured state: everything but times, sequence numbers and the metadata
# area's free bytes (they move with every metadata write), and without directories under the state
# and lock dirs (lvmsnap creates them once and may leave them; files are what counts).
normalize_state() { # DIR
	local d=$1 l
	local -a _c
	# One jq for both JSON sections; when either file is not JSON (jq reads both before printing
	# anything), each on its own as text.
	if ! jq -S -r -n --slurpfile r "$d/fullreport.json" --slurpfile m "$d/findmnt.json" '
		"## lvm fullreport",
		($r[] | walk(if type == "object" then with_entries(select(.key | test("time|seqno|mda_free") | not)) else . end)),
		"## findmnt",
		($m[] | .. | objects | select(has("target")) | {target, source, fstype, options})' 2>/dev/null; then
		echo '## lvm fullreport'
		jq -S 'walk(if type == "object" then with_entries(select(.key | test("time|seqno|mda_free") | not)) else . end)' \
			"$d/fullreport.json" 2>&1 || cat "$d/fullreport.json"
		echo '## findmnt'
		jq -S '.. | objects | select(has("target")) | {target, source, fstype, options}' "$d/findmnt.json" 2>&1
	fi
	echo '## lvm stderr'
	mapfile _c <"$d/fullreport.stderr" && printf '%s' "${_c[@]}"
	echo '## dmsetup table'
	mapfile _c <"$d/dmsetup.txt" && printf '%s' "${_c[@]}"
	echo '## losetup --list --json'
	mapfile _c <"$d/losetup.json" && printf '%s' "${_c[@]}"
	echo '## files'
	while IFS= read -r l; do
		[[ ($l == "$STATE_DIR"* || $l == /run/lock/lvmsnap*) && ${l#* } == d\ * ]] || printf '%s\n' "$l"
	done <"$d/files.txt"
	echo '## state files'
	mapfile _c <"$d/statefiles.txt" && printf '%s' "${_c[@]}"
}

dump_state() { # FILE
	local d
	d=$(mktemp -d)
	capture_state "$d"
	normalize_state "$d" >"$1"
	rm -rf "$d"
}

# The normalized dump of the state captured after the last lvmsnap run.
dump_after() { # FILE
	normalize_state "$STEP/state" >"$1"
}

# ---- building and tearing down the system -------------------------------------------------------

stop_writer() {
	if [[ -n $WRITER_PID ]]; then
		kill "$WRITER_PID" 2>/dev/null || true
		wait "$WRITER_PID" 2>/dev/null || true
		WRITER_PID=
	fi
}

# Random data, made once per boot (/dev/urandom is slow under TCG): RAND_A, RAND_B (4 MiB each).
RAND_A=/tmp/rand-a.bin
RAND_B=/tmp/rand-b.bin
random_data() {
	[[ -s $RAND_A ]] || head -c 4M /dev/urandom >"$RAND_A"
	[[ -s $RAND_B ]] || head -c 4M /dev/urandom >"$RAND_B"
}

# Keeps rewriting the same 2 MiB of DIR/busy.dat (fsync'ed), so the origin is in use and the COW
# space sees writes while the snapshot exists, without filling it.
start_writer() { # DIR
	local dir=$1
	random_data
	dd if="$RAND_A" of="$dir/busy.dat" bs=1M count=2 conv=fsync status=none
	(
		i=0
		while :; do
			dd if="$RAND_B" of="$dir/busy.dat" bs=64k count=8 skip=$((i % 32)) seek=$((i % 32)) conv=notrunc,fsync status=none
			i=$((i + 1))
			nap 0.5
		done
	) &
	WRITER_PID=$!
}

# Tears down whatever a scenario (or a crashed lvmsnap) left: mounts, device-mapper devices, loop
# devices, LVM labels, files. Used between scenarios and after a failure. (/mnt/data: the thin
# scenario's origin; left mounted, its dm device stays busy and the next thin pool cannot activate.)
teardown_all() {
	local m
	stop_writer
	while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(findmnt -rn -o TARGET |
		grep -E "^($MNT|/media/|$ORIGIN_MNT|/mnt/data|$SPACE|$STATE_DIR)" | sort -r)
	dmsetup remove_all --force >/dev/null 2>&1 || true
	losetup -D 2>/dev/null || true
	wipefs -a -q "$DISK" 2>/dev/null || true
	# Without udev LVM makes /dev/VG itself; a stale one makes the next vgcreate fail. One rm for
	# all (a process costs ~0.2 s under TCG); /media's entries by glob, dot files too.
	local -a media
	media=(/media/* /media/.[!.]* /media/..?*)
	rm -rf "/dev/${VG:?}" "$STATE_DIR" /run/lock/lvmsnap "$SPACE" "$ORIGIN_MNT" /etc/lvm/devices/system.devices \
		"${media[@]}" 2>/dev/null || true
}

mkfs_for() { # FSTYPE DEVICE
	case $1 in
	ext4) mkfs.ext4 -q -F "$2" ;;
	# xfsprogs >= 5.19 refuses filesystems under 300 MB outside fstests; these variables are
	# fstests' own switch. The simulator's origin is 100 MiB, so the VM's is too.
	xfs) TEST_DEV=1 TEST_DIR=1 QA_CHECK_FS=1 mkfs.xfs -q -f "$2" ;;
	*) fail "unknown fstype $1" ;;
	esac
}

# setup_system FSTYPE free|full [--keep]  (--keep: reuse the current system, trace a setup step only)
setup_system() {
	local fstype=$1 vgmode=$2
	if [[ ${3:-} != --keep ]]; then
		teardown_all
		# vgcreate makes /dev/vda a PV itself (with pvcreate's defaults): one lvm process less.
		vgcreate -q --yes "$VG" "$DISK" >/dev/null
		lvcreate -q --yes -L 100M -n "$LV" "$VG" >/dev/null
		[[ $vgmode == full ]] && lvcreate -q --yes -l 100%FREE -n filler "$VG" >/dev/null
		mkfs_for "$fstype" "/dev/$VG/$LV"
		mkdir -p "$ORIGIN_MNT" "$SPACE" /media
		mount "/dev/$VG/$LV" "$ORIGIN_MNT"
		mount -t tmpfs -o size=200M tmpfs "$SPACE"
	fi
	if [[ ${3:-} == --keep ]]; then next_step setup; else next_step setup state; fi
	printf 'fstype=%s vg=%s\n' "$fstype" "$vgmode" >"$STEP/args"
	# A kept system was already captured by whoever checked it is clean.
	[[ ${3:-} == --keep ]] || capture_state "$STEP/state"
}

# ---- snapshot content checks -------------------------------------------------------------------

# Files written before the snapshot must be in it; files written after must not.
write_before() {
	random_data
	echo "written before the snapshot $(date +%s%N)" >"$ORIGIN_MNT/before.txt"
	cp "$RAND_A" "$ORIGIN_MNT/data.bin"
	sync
	md5sum <"$ORIGIN_MNT/data.bin" >/tmp/data.md5
}

check_snapshot_content() { # MOUNTPOINT
	local m=$1
	echo "written after the snapshot" >"$ORIGIN_MNT/after.txt"
	dd if="$RAND_B" of="$ORIGIN_MNT/data.bin" bs=1M count=4 conv=notrunc,fsync status=none
	sync
	assert_same_file "$ORIGIN_MNT/before.txt" "$m/before.txt" "the snapshot shows before.txt as it was"
	assert_missing "$m/after.txt" "a file written after the snapshot"
	assert_eq "$(cat /tmp/data.md5)" "$(md5sum <"$m/data.bin")" "data.bin in the snapshot is the version from before"
	[[ $(md5sum <"$ORIGIN_MNT/data.bin") != "$(cat /tmp/data.md5)" ]] || fail "the origin's data.bin did not change"
	[[ -z $WRITER_PID || -s $m/busy.dat ]] || fail "the writer's file is missing from the snapshot"
	# read-only
	if touch "$m/probe" 2>/dev/null; then fail "the snapshot mount is writable"; fi
}
