/* Time and CPU readings shared by the C load generators (udp_load, broadcast_load,
 * ws_load). Header-only: each tool is a single file. */
#ifndef WEFT_BENCH_LOAD_CLOCK_H
#define WEFT_BENCH_LOAD_CLOCK_H

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Monotonic seconds. */
static inline double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* utime + stime of pid in seconds, or -1. */
static inline double cpu_of(int pid) {
  if (pid <= 0) return -1;
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char* p = strrchr(buf, ')'); /* The command name may hold spaces. */
  unsigned long ut = 0, st = 0;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return -1;
  return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

#endif
