/* cpurun.c -- run a program and write the CPU time it used (user + system
 * seconds of it and of the descendants it waited for, from wait4's rusage)
 * to a file. `make bench` (scripts/bench.sh) wraps every client with it.
 *
 *   cpurun OUTFILE PROGRAM [ARGS...]
 *
 * SIGTERM and SIGINT are passed on to the program (the file is still
 * written when it exits). Exits with the program's exit status (128 +
 * signal number if a signal ended it).
 * Build: cc -O2 -o cpurun scripts/cpurun.c */
#define _GNU_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void pass_on(int sig) {
  if (child > 0)
    kill(child, sig);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: cpurun OUTFILE PROGRAM [ARGS...]\n");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("cpurun: fork");
    return 2;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror("cpurun: exec");
    _exit(127);
  }
  child = pid;
  struct sigaction sa;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sa.sa_handler = pass_on;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  int status = 0;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("cpurun: wait4");
      return 2;
    }
  }
  double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  FILE *f = fopen(argv[1], "w");
  if (f) {
    fprintf(f, "%.3f\n", cpu);
    fclose(f);
  }
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
