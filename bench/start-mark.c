/*
 * Start marker for `npm run bench` (bench/real-host.ts): put first in PATH under the name of a tool
 * lvmsnap runs (lvm), it appends the wall clock (CLOCK_REALTIME, the clock of bash's $EPOCHREALTIME) to
 * $LVMSNAP_MARK_FILE in one write, then execs the real tool $LVMSNAP_MARK_REAL with the same arguments.
 * So the bench sees when lvmsnap's start-up ended: the moment its first LVM command began. Static, so
 * its own start costs a fraction of a millisecond and no dynamic loader runs before the mark.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  const char *file = getenv("LVMSNAP_MARK_FILE");
  const char *real = getenv("LVMSNAP_MARK_REAL");
  if (file == NULL || real == NULL || argc < 1) {
    fputs("start-mark: LVMSNAP_MARK_FILE and LVMSNAP_MARK_REAL must be set\n", stderr);
    return 127;
  }
  char line[64];
  int n = snprintf(line, sizeof line, "%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
  int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) {
    if (write(fd, line, (size_t)n) != n) perror("start-mark: write");
    close(fd);
  }
  argv[0] = (char *)real;
  execv(real, argv);
  perror("start-mark: exec");
  return 127;
}
