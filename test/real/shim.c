/*
 * Command recorder for the real-LVM tier (guest side). The scenarios put a
 * directory of symlinks to this binary first in PATH, one per tool lvmsnap
 * runs (lvcreate, losetup, mount, ...). Each call appends
 *
 *     S <pid> <arg0> US <arg1> US ... RS        before the real command starts
 *     E <pid> <exit status> RS                  after it ended (128+N: signal N)
 *
 * to $LVMSNAP_SHIM_LOG (US = 0x1f, RS = 0x1e; arguments may hold tabs and
 * newlines, lvmsnap's stat format does), then runs the real tool found in
 * PATH after $LVMSNAP_SHIM_DIR. This records every command, including the one
 * a LVMSNAP_TEST_KILL_AFTER run dies right after, which lvmsnap's own --json
 * never gets to print. Each record is one write(2) on an O_APPEND file, so
 * concurrent calls (lvmsnap observes in parallel) do not interleave.
 *
 * `lvm` without arguments is lvm2's shell (src/lvm-shell/): its commands
 * arrive as lines on stdin, each answered by one JSON object on
 * $LVM_REPORT_FD. The shim then sits between lvmsnap and lvm on both and logs
 * each line as a command of its own, split as lvm splits it, under the id
 * <pid>.<n>: S when the line goes to lvm, E with the exit status a forked
 * command would have (the shell's status in the object: lvm2 return code 1
 * -> 0, else the code) once its object comes back. The shell itself is
 * logged like any command (argv "lvm").
 *
 * Built on the host by test/real/run-all.sh: gcc -O2 -static (fast to start
 * under TCG: no dynamic loader).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void append(const char *log, const char *buf, size_t len) {
	int fd;
	if (!log || !*log) return;
	fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) return;
	if (write(fd, buf, len) < 0) { /* best effort */ }
	close(fd);
}

/* The real tool: the first PATH entry after the shim directory that has it. */
static int find_real(const char *name, const char *shimdir, char *out, size_t outlen) {
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	if (!path) return -1;
	copy = strdup(path);
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (shimdir && strcmp(dir, shimdir) == 0) continue;
		snprintf(out, outlen, "%s/%s", dir, name);
		if (access(out, X_OK) == 0) { free(copy); return 0; }
	}
	free(copy);
	return -1;
}

static void write_all(int fd, const char *b, size_t n) {
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0) { if (errno == EINTR) continue; return; }
		b += w;
		n -= (size_t)w;
	}
}

/* lvm2's lvm_split (tools/lvm.c): blanks separate words, # at a word's start ends the line, a word
 * starting with " or ' runs to the next such quote. Logs "S <id> w1 US w2 ... RS"; 0 if no word. */
static int log_line(const char *log, const char *id, char *line) {
	char *b = line, *e, quote, out[8192];
	size_t len = (size_t)snprintf(out, sizeof out, "S\t%s\t", id), words = 0;
	while (*b) {
		while (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\v' || *b == '\f') b++;
		if (!*b || *b == '#') break;
		quote = 0;
		if (*b == '"' || *b == '\'') quote = *b++;
		for (e = b; *e && (quote ? *e != quote : !(*e == ' ' || *e == '\t' || *e == '\r' || *e == '\v' || *e == '\f')); e++) {}
		if (words++ && len < sizeof out) out[len++] = '\x1f';
		if (len + (size_t)(e - b) < sizeof out) { memcpy(out + len, b, (size_t)(e - b)); len += (size_t)(e - b); }
		b = *e ? e + 1 : e;
	}
	if (!words) return 0;
	if (len < sizeof out) out[len++] = '\x1e';
	append(log, out, len);
	return 1;
}

/* The shell's status in one report object: the last shell-context status entry's return code. */
static int object_status(const char *obj) {
	const char *key = "\"log_type\":\"status\", \"log_context\":\"shell\"", *p = obj, *last = NULL, *rc;
	while ((p = strstr(p, key))) last = p++;
	if (!last || !(rc = strstr(last, "\"log_ret_code\":\""))) return 1; /* no status: failed, as lvmsnap reads it */
	return atoi(rc + 16) == 1 ? 0 : atoi(rc + 16);
}

static int lvm_shell(const char *log, const char *real, char **argv) {
	const char *fdvar = getenv("LVM_REPORT_FD");
	int rfd = fdvar ? atoi(fdvar) : -1, in[2], rep[2] = {-1, -1}, status = 0, depth = 0, str = 0, esc = 0;
	char buf[65536], line[8192], id[64], head[96], *obj = NULL;
	size_t llen = 0, olen = 0, ocap = 0;
	unsigned sent = 0, done = 0;
	pid_t child;
	struct pollfd p[2];
	if (pipe(in) < 0 || (rfd > 2 && pipe(rep) < 0)) { perror("lvmsnap-shim: pipe"); return 127; }
	child = fork();
	if (child < 0) { perror("lvmsnap-shim: fork"); return 127; }
	if (child == 0) {
		dup2(in[0], 0);
		close(in[0]); close(in[1]);
		if (rfd > 2) { dup2(rep[1], rfd); close(rep[0]); close(rep[1]); }
		execv(real, argv);
		_exit(127);
	}
	signal(SIGPIPE, SIG_IGN);
	close(in[0]);
	if (rfd > 2) close(rep[1]);
	p[0].fd = 0; p[0].events = POLLIN;
	p[1].fd = rep[0]; p[1].events = POLLIN;
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		ssize_t n, i;
		if (poll(p, 2, -1) < 0) { if (errno == EINTR) continue; break; }
		if (p[0].fd >= 0 && p[0].revents) {
			n = read(0, buf, sizeof buf);
			if (n <= 0) { close(in[1]); p[0].fd = -1; }
			else {
				write_all(in[1], buf, (size_t)n);
				for (i = 0; i < n; i++) {
					if (buf[i] != '\n') { if (llen + 1 < sizeof line) line[llen++] = buf[i]; continue; }
					line[llen] = 0;
					llen = 0;
					snprintf(id, sizeof id, "%d.%u", (int)getpid(), sent);
					if (log_line(log, id, line)) sent++;
				}
			}
		}
		if (p[1].fd >= 0 && p[1].revents) {
			n = read(rep[0], buf, sizeof buf);
			if (n <= 0) { close(rep[0]); p[1].fd = -1; }
			else {
				/* Logged before lvmsnap gets the object: a run killed right after it still has its E. */
				for (i = 0; i < n; i++) {
					char c = buf[i];
					if (depth > 0) {
						if (olen + 2 > ocap) { ocap = (olen + 2) * 2; obj = realloc(obj, ocap); }
						obj[olen++] = c;
					}
					if (str) { if (esc) esc = 0; else if (c == '\\') esc = 1; else if (c == '"') str = 0; continue; }
					if (c == '"') str = 1;
					else if (c == '{' && depth++ == 0) {
						olen = 0;
						if (ocap < 2) { ocap = 4096; obj = realloc(obj, ocap); }
						obj[olen++] = c;
					} else if (c == '}' && depth > 0 && --depth == 0) {
						obj[olen] = 0;
						/* The object after the last line (end of input) answers no command. */
						if (done < sent) {
							size_t hl = (size_t)snprintf(head, sizeof head, "E\t%d.%u\t%d\x1e", (int)getpid(), done, object_status(obj));
							append(log, head, hl);
							done++;
						}
					}
				}
				write_all(rfd, buf, (size_t)n);
			}
		}
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
	const char *log = getenv("LVMSNAP_SHIM_LOG");
	const char *shimdir = getenv("LVMSNAP_SHIM_DIR");
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	char real[PATH_MAX], head[64], *buf;
	size_t len = 0, cap = 256;
	int i, status = 0, code;
	pid_t child;

	if (find_real(name, shimdir, real, sizeof real) != 0) {
		fprintf(stderr, "lvmsnap-shim: %s not found in PATH\n", name);
		return 127;
	}
	buf = malloc(cap);
	len = (size_t)snprintf(buf, cap, "S\t%d\t", (int)getpid());
	for (i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (len + n + 2 > cap) { cap = (len + n + 2) * 2; buf = realloc(buf, cap); }
		memcpy(buf + len, argv[i], n);
		len += n;
		buf[len++] = i + 1 < argc ? '\x1f' : '\x1e';
	}
	append(log, buf, len);

	if (argc == 1 && strcmp(name, "lvm") == 0) {
		code = lvm_shell(log, real, argv);
		len = (size_t)snprintf(head, sizeof head, "E\t%d\t%d\x1e", (int)getpid(), code);
		append(log, head, len);
		return code;
	}

	child = fork();
	if (child < 0) { perror("lvmsnap-shim: fork"); return 127; }
	if (child == 0) {
		execv(real, argv);
		fprintf(stderr, "lvmsnap-shim: exec %s: %s\n", real, strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	len = (size_t)snprintf(head, sizeof head, "E\t%d\t%d\x1e", (int)getpid(), code);
	append(log, head, len);
	return code;
}
