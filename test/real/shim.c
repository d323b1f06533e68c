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
