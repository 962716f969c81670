/* Bench worker for the C binding (protocol: bench/README.md). Not a test: it asserts nothing about speed.
 *   bench MODE GRAPH_URL TOKEN IDS_FILE N CONCURRENCY [PACE_WRITES PACE_SECONDS]
 * The fault soak (tests/soak/run.py) reuses it: with BENCH_OUTCOMES=FILE each bulk outcome is also written to FILE
 * as `DEVICE_ID CODE` lines (CONFIRMED for a success confirmed from the device's action record), BENCH_TIMEOUT_SECS
 * sets the client's per-call deadline, BENCH_VERIFY_SECS the bulk run's verify window (seconds, or `off`) and
 * BENCH_JOURNAL its journal file. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "intune_passcode.h"

#define CODES 32 /* more than the ipc_code values; an outcome is counted at its code */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* What the bulk callback needs: the counts, and where to log each outcome (the soak's ledger check). */
struct tally {
  size_t counts[CODES];
  char **ids;
  FILE *log;
};

static void count_cb(void *user, size_t index, const ipc_receipt *r, const ipc_error *e) {
  struct tally *t = user;
  int code = e ? (int)ipc_error_code(e) : 0;
  t->counts[code >= 0 && code < CODES ? code : CODES - 1]++;
  /* How a success is known: Graph's 2xx (OK) or the device's record (CONFIRMED). */
  const char *ok = r && strcmp(ipc_receipt_confirmed_by(r), "action_result") == 0 ? "CONFIRMED" : "OK";
  if (t->log) fprintf(t->log, "%s %s\n", t->ids[index], code ? ipc_code_name(code) : ok);
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: bench MODE GRAPH_URL TOKEN IDS_FILE N CONCURRENCY [PACE_WRITES PACE_SECONDS]\n");
    return 2;
  }
  const char *mode = argv[1];
  size_t want = (size_t)atol(argv[5]), n = 0, cap = 1024;
  uint32_t conc = (uint32_t)atoi(argv[6]), writes = 0;
  uint64_t window_ms = 0;
  if (strcmp(mode, "throttled") == 0 && argc > 8) {
    writes = (uint32_t)atoi(argv[7]);
    window_ms = (uint64_t)(atof(argv[8]) * 1000);
  }
  char **ids = malloc(cap * sizeof *ids), line[512];
  FILE *f = fopen(argv[4], "r");
  if (!ids || !f) return 1;
  while (n < want && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (n == cap) {
      cap *= 2;
      char **grown = realloc(ids, cap * sizeof *ids);
      if (!grown) return 1;
      ids = grown;
    }
    ids[n++] = strdup(line);
  }
  fclose(f);

  ipc_options *o = ipc_options_new();
  const char *timeout = getenv("BENCH_TIMEOUT_SECS");
  if (!o || ipc_options_set_base_url(o, argv[2]) != IPC_OK || ipc_options_set_token(o, argv[3]) != IPC_OK ||
      ipc_options_set_timeout_ms(o, (uint64_t)((timeout ? atof(timeout) : 100.0) * 1000)) != IPC_OK) {
    fprintf(stderr, "bench: bad client options\n");
    return 1;
  }
  ipc_client *c = NULL;
  if (ipc_client_new(o, &c, NULL) != IPC_OK) return 1;
  ipc_options_free(o);

  struct tally tally = {{0}, ids, NULL};
  size_t *counts = tally.counts;
  double *times = calloc(n ? n : 1, sizeof *times), median = -1, start = now();
  if (strcmp(mode, "seq") == 0) {
    for (size_t i = 0; i < n; i++) {
      ipc_receipt *r = NULL;
      ipc_error *e = NULL;
      double t = now();
      ipc_reset_passcode(c, ids[i], NULL, NULL, &r, &e);
      times[i] = (now() - t) * 1e3;
      count_cb(&tally, i, r, e);
      ipc_receipt_free(r);
      ipc_error_free(e);
    }
    qsort(times, n, sizeof *times, cmp);
    median = n ? times[n / 2] : -1;
  } else {
    const char *log_path = getenv("BENCH_OUTCOMES");
    if (log_path && !(tally.log = fopen(log_path, "w"))) return 1;
    ipc_bulk_options *bo = ipc_bulk_options_new();
    const char *verify = getenv("BENCH_VERIFY_SECS");
    const char *journal = getenv("BENCH_JOURNAL");
    if (journal && *journal && ipc_bulk_options_set_journal(bo, journal) != IPC_OK) {
      fprintf(stderr, "bench: bad journal option\n");
      return 1;
    }
    if (!bo || ipc_bulk_options_set_concurrency(bo, conc) != IPC_OK ||
        ipc_bulk_options_set_pace(bo, writes, window_ms) != IPC_OK ||
        (verify && ipc_bulk_options_set_verify_unknown_ms(bo, strcmp(verify, "off") ? (uint64_t)(atof(verify) * 1000) : 0) != IPC_OK)) {
      fprintf(stderr, "bench: bad bulk options\n");
      return 1;
    }
    ipc_error *err = NULL;
    if (ipc_reset_passcodes_with(c, (const char *const *)ids, n, bo, count_cb, &tally, &err) != IPC_OK) {
      fprintf(stderr, "bench: %s\n", ipc_error_message(err));
      return 1;
    }
    ipc_bulk_options_free(bo);
    if (tally.log) fclose(tally.log);
  }
  double secs = now() - start;
  size_t calls = 0;
  printf("{\"calls\":");
  for (int i = 0; i < CODES; i++) calls += counts[i];
  printf("%zu,\"secs\":%.6f,\"median_ms\":", calls, secs);
  if (median >= 0) printf("%.6f", median); else printf("null");
  printf(",\"outcomes\":{");
  const char *sep = "";
  for (int i = 0; i < CODES; i++) {
    if (!counts[i]) continue;
    printf("%s\"%s\":%zu", sep, i == 0 ? "OK" : ipc_code_name(i), counts[i]);
    sep = ",";
  }
  printf("}}\n");
  ipc_client_free(c);
  for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
  free(times);
  return 0;
}
