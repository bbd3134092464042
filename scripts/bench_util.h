/* bench_util.h -- clocks and memory readings the scale benches share
 * (bench_scale.c for csctp, bench_scale_usrsctp.c for usrsctp). */
#ifndef CSCTP_BENCH_UTIL_H
#define CSCTP_BENCH_UTIL_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* rss_kb: the process's resident set, KiB. */
static inline long rss_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long pages = 0, res = 0;
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &res) != 2)
      res = 0;
    fclose(f);
  }
  return res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* cpu_s: the process's user + system CPU time, seconds. */
static inline double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

#endif
