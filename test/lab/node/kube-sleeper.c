/*
 * kube-sleeper: stands in for kube-apiserver, kube-controller-manager,
 * kube-scheduler and the kubelet inside a lab node. It does nothing but
 * sleep until it is killed, so that `ps` shows the component with exactly
 * the arguments it was started with (comm is the name it was executed as).
 *
 * - `--version` (as the first argument) prints "Kubernetes v1.33.4", like
 *   the real binaries, and exits 0.
 * - It dies with its parent (PR_SET_PDEATHSIG), so a crashed runner never
 *   leaves orphans behind.
 * - SIGTERM/SIGINT end it with status 0, like a graceful shutdown.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--version") == 0) {
    printf("Kubernetes v1.33.4\n");
    return 0;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  for (;;) pause();
  return 0;
}
