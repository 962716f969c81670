/* Benchmark (not a test): sequential and bulk resets from C against a running emulator; prints calls/s.
 *   bench GRAPH_URL TOKEN IDS_FILE [SEQUENTIAL=2000] [CONCURRENCY=64] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "intune_passcode.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void count_cb(void *u, size_t i, const ipc_receipt *r, const ipc_error *e) { (void)i; (void)r; (void)e; (*(size_t *)u)++; }

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  size_t seq = argc > 4 ? (size_t)atol(argv[4]) : 2000, cap = 1024, n = 0;
  uint32_t conc = argc > 5 ? (uint32_t)atoi(argv[5]) : 64;
  char **ids = malloc(cap * sizeof *ids), line[256];
  FILE *f = fopen(argv[3], "r");
  if (!f) return 1;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (n == cap) { cap *= 2; ids = realloc(ids, cap * sizeof *ids); }
    ids[n++] = strdup(line);
  }
  fclose(f);
  ipc_options *o = ipc_options_new();
  ipc_options_set_base_url(o, argv[1]);
  ipc_options_set_token(o, argv[2]);
  ipc_client *c = NULL;
  if (ipc_client_new(o, &c, NULL) != IPC_OK) return 1;
  ipc_options_free(o);
  double t = now();
  for (size_t i = 0; i < seq; i++) {
    ipc_receipt *r = NULL; ipc_error *e = NULL;
    ipc_reset_passcode(c, ids[i % n], NULL, NULL, &r, &e);
    ipc_receipt_free(r); ipc_error_free(e);
  }
  double secs = now() - t;
  printf("c sequential: %zu calls, %.0f calls/s, mean %.3f ms\n", seq, seq / secs, secs / seq * 1e3);
  size_t done = 0;
  t = now();
  ipc_reset_passcodes_paced(c, (const char *const *)ids, n, conc, 0, 0, count_cb, &done, NULL);
  secs = now() - t;
  struct rusage ru; getrusage(RUSAGE_SELF, &ru);
  printf("c bulk: %zu calls at concurrency %u in %.2f s = %.0f calls/s; peak RSS %.1f MiB\n", done, conc, secs, done / secs, ru.ru_maxrss / 1024.0);
  ipc_client_free(c);
  return 0;
}
