/* C11 test program for libintune_passcode, driven by tests/c_suite.rs against the emulator.
 *   test_c vector GRAPH_URL TOKEN DEVICE USER|- APP|- MAX_RETRIES TIMEOUT_MS CALL SENT_AT_MS WITHIN_MS
 *          one call (reset_passcode, reset_status or confirm_reset); prints the outcome as JSON
 *   test_c hostile                                                             NULL, invalid UTF-8, huge inputs
 *   test_c bulk GRAPH_URL TOKEN IDS_FILE CONCURRENCY [PACE_WRITES PACE_MS]     one callback per ID
 *   test_c threads GRAPH_URL TOKEN IDS_FILE                                    8 threads x 100 calls on one client
 *   test_c readback GRAPH_URL TOKEN ANDROID_ID IOS_ID      reset, wait for the record, the passcode only on request
 *   test_c verify GRAPH_URL TOKEN IDS_FILE    bulk with ipc_bulk_options (verify 3 s): prints `ID OK|CONFIRMED|CODE`
 *   test_c journal GRAPH_URL TOKEN IDS_FILE PATH   a journaled run, then again: all from the journal, nothing sent
 *   test_c errors GRAPH_URL TOKEN AUTHORITY TENANT CLIENT_ID                   real error cases and their fields
 *   test_c secrets GRAPH_URL TOKEN AUTHORITY TENANT CLIENT_ID CLIENT_SECRET UNPRIV_ID UNPRIV_SECRET FAKE_TOKEN
 *          FAKE_SECRET DEVICE                   every error path, every field printed (the suite looks for secrets)
 *   test_c credentials GRAPH_URL AUTHORITY TENANT CLIENT_ID PEM PFX PFX_PASSWORD EXPIRED_PEM ENCRYPTED_PEM BASE_URL
 *          IDENTITY_ENDPOINT IDENTITY_HEADER FEDERATED_FILE IDS_FILE   each credential kind resets the next ID; bad ones
 *          are IPC_CREDENTIAL naming the file, not its contents
 * Exit 0 when every check passed; a failed check prints where and exits 1. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include "intune_passcode.h"

static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static void json_str(const char *key, const char *value, int comma) {
  printf("\"%s\":", key);
  if (!value) { printf("null"); } else { printf("\""); for (const char *p = value; *p; p++) { if (*p == '"' || *p == '\\') putchar('\\'); putchar(*p); } printf("\""); }
  if (comma) printf(",");
}

static ipc_client *make_client(const char *url, const char *token, unsigned retries, uint64_t timeout_ms) {
  ipc_options *o = ipc_options_new();
  CHECK(o != NULL);
  CHECK(ipc_options_set_base_url(o, url) == IPC_OK);
  CHECK(ipc_options_set_token(o, token) == IPC_OK);
  CHECK(ipc_options_set_max_retries(o, retries) == IPC_OK);
  CHECK(ipc_options_set_timeout_ms(o, timeout_ms) == IPC_OK);
  ipc_client *c = NULL;
  ipc_error *e = NULL;
  ipc_code rc = ipc_client_new(o, &c, &e);
  if (rc != IPC_OK) { fprintf(stderr, "client: %s\n", ipc_error_message(e)); ipc_error_free(e); }
  ipc_options_free(o);
  return c;
}

static void print_vector_error(ipc_code rc, const ipc_error *e) {
  printf("\"ok\":false,");
  json_str("code", ipc_code_name(rc), 1);
  if (ipc_error_status(e)) printf("\"status\":%u,", ipc_error_status(e)); else printf("\"status\":null,");
  json_str("graph_code", ipc_error_graph_code(e), 1);
  json_str("request_id", ipc_error_request_id(e), 1);
  printf("\"attempts\":%u,", ipc_error_attempts(e));
  if (ipc_error_retry_after_ms(e)) printf("\"retry_after_ms\":%llu,", (unsigned long long)ipc_error_retry_after_ms(e));
  else printf("\"retry_after_ms\":null,");
  json_str("intune_activity_id", ipc_error_intune_activity_id(e), 1);
  json_str("intune_operation_id", ipc_error_intune_operation_id(e), 0);
  CHECK(strlen(ipc_error_message(e)) > 0);
}

static int vector(char **argv) {
  ipc_client *c = make_client(argv[2], argv[3], (unsigned)atoi(argv[7]), (uint64_t)atoll(argv[8]));
  if (!c) return 1;
  const char *user = strcmp(argv[5], "-") ? argv[5] : NULL;
  const char *app = strcmp(argv[6], "-") ? argv[6] : NULL;
  const char *call = argv[9];
  ipc_receipt *r = NULL;
  ipc_action *a = NULL;
  ipc_error *e = NULL;
  int accepted = -1;
  ipc_code rc;
  /* Timed here, around the call alone: process start-up must not loosen the vectors' time bounds. */
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (strcmp(call, "reset_status") == 0) {
    rc = ipc_reset_status(c, argv[4], user, app, &a, &e);
  } else if (strcmp(call, "confirm_reset") == 0) {
    rc = ipc_confirm_reset(c, argv[4], user, app, (int64_t)atoll(argv[10]), (uint64_t)atoll(argv[11]), &accepted, &a, &e);
  } else {
    rc = ipc_reset_passcode(c, argv[4], user, app, &r, &e);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long elapsed_ms = (long long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  printf("{\"elapsed_ms\":%lld,", elapsed_ms);
  if (rc != IPC_OK) {
    CHECK(r == NULL && a == NULL && e != NULL && ipc_error_code(e) == rc);
    print_vector_error(rc, e);
  } else if (strcmp(call, "reset_status") == 0) {
    CHECK(e == NULL);
    printf("\"ok\":true,\"found\":%s", a ? "true" : "false");
    if (a) {
      printf(",");
      json_str("state", ipc_action_state(a), 1);
      json_str("passcode", ipc_action_passcode_reveal(a), 0);
    }
  } else if (strcmp(call, "confirm_reset") == 0) {
    CHECK(e == NULL && (accepted == 0 || accepted == 1));
    printf("\"ok\":true,");
    if (accepted) {
      CHECK(a != NULL);
      json_str("confirmation", "accepted", 1);
      json_str("state", a ? ipc_action_state(a) : NULL, 0);
    } else {
      json_str("confirmation", "not_seen", 1);
      json_str("latest_state", a ? ipc_action_state(a) : NULL, 0);
    }
  } else {
    CHECK(e == NULL);
    printf("\"ok\":true,\"status\":%u,\"attempts\":%u,", ipc_receipt_status(r), ipc_receipt_attempts(r));
    json_str("request_id", ipc_receipt_request_id(r), 0);
  }
  printf("}\n");
  ipc_receipt_free(r);
  ipc_action_free(a);
  ipc_error_free(e);
  ipc_client_free(c);
  return failures ? 1 : 0;
}

static int hostile(void) {
  const char bad_utf8[] = { 'a', (char)0xff, 'b', 0 };
  size_t huge_len = 1u << 20;
  char *huge = malloc(huge_len + 1);
  memset(huge, 'x', huge_len);
  huge[huge_len] = 0;

  CHECK(ipc_options_set_token(NULL, "t") == IPC_NULL_PARAMETER);
  ipc_options *o = ipc_options_new();
  CHECK(ipc_options_set_token(o, NULL) == IPC_NULL_PARAMETER);
  CHECK(ipc_options_set_token(o, bad_utf8) == IPC_INVALID_ARGUMENT);
  CHECK(ipc_options_set_client_secret(o, "t", NULL, "s") == IPC_NULL_PARAMETER);
  CHECK(ipc_options_set_base_url(o, huge) == IPC_OK);
  ipc_client *c = NULL;
  ipc_error *e = NULL;
  CHECK(ipc_client_new(o, &c, &e) == IPC_INVALID_ARGUMENT && c == NULL && e != NULL);
  CHECK(ipc_error_code(e) == IPC_INVALID_ARGUMENT);
  ipc_error_free(e); e = NULL;
  CHECK(ipc_options_set_base_url(o, "http://graph.example.com/v1.0") == IPC_OK);
  CHECK(ipc_client_new(o, &c, &e) == IPC_INVALID_ARGUMENT);   /* no credential yet, and plain http off loopback */
  ipc_error_free(e); e = NULL;
  CHECK(ipc_options_set_token(o, "t") == IPC_OK);
  CHECK(ipc_client_new(o, &c, NULL) == IPC_INVALID_ARGUMENT); /* error_out may be NULL */
  CHECK(ipc_options_set_base_url(o, "http://127.0.0.1:9/v1.0") == IPC_OK);
  CHECK(ipc_options_set_max_retries(o, 11) == IPC_OK);
  CHECK(ipc_client_new(o, &c, &e) == IPC_INVALID_ARGUMENT);
  ipc_error_free(e); e = NULL;
  CHECK(ipc_options_set_max_retries(o, 0) == IPC_OK);
  CHECK(ipc_client_new(NULL, &c, &e) == IPC_NULL_PARAMETER);
  ipc_error_free(e); e = NULL;
  CHECK(ipc_client_new(o, NULL, NULL) == IPC_NULL_PARAMETER);
  CHECK(ipc_client_new(o, &c, &e) == IPC_OK && c != NULL && e == NULL);
  ipc_options_free(o);

  ipc_receipt *r = NULL;
  CHECK(ipc_reset_passcode(NULL, "d", NULL, NULL, &r, &e) == IPC_NULL_PARAMETER && r == NULL);
  ipc_error_free(e); e = NULL;
  CHECK(ipc_reset_passcode(c, NULL, NULL, NULL, &r, &e) == IPC_NULL_PARAMETER);
  ipc_error_free(e); e = NULL;
  CHECK(ipc_reset_passcode(c, "d", NULL, NULL, NULL, &e) == IPC_NULL_PARAMETER);
  ipc_error_free(e); e = NULL;
  CHECK(ipc_reset_passcode(c, bad_utf8, NULL, NULL, &r, &e) == IPC_INVALID_ARGUMENT);
  ipc_error_free(e); e = NULL;
  CHECK(ipc_reset_passcode(c, huge, NULL, NULL, &r, &e) == IPC_INVALID_ARGUMENT);
  ipc_error_free(e); e = NULL;
  CHECK(ipc_reset_passcode(c, "d", "u", "a", &r, &e) == IPC_INVALID_ARGUMENT);
  ipc_error_free(e); e = NULL;
  CHECK(ipc_reset_passcode(c, "", NULL, NULL, &r, &e) == IPC_INVALID_ARGUMENT);
  CHECK(r == NULL);
  ipc_error_free(e); e = NULL;
  CHECK(ipc_reset_passcodes(c, NULL, 3, 4, NULL, NULL, &e) == IPC_NULL_PARAMETER);
  ipc_error_free(e); e = NULL;

  /* Accessors and frees take NULL. */
  CHECK(ipc_error_code(NULL) == IPC_NULL_PARAMETER);
  CHECK(strcmp(ipc_error_message(NULL), "") == 0);
  CHECK(ipc_error_graph_code(NULL) == NULL && ipc_error_request_id(NULL) == NULL);
  CHECK(ipc_error_graph_message(NULL) == NULL && ipc_receipt_ags_diagnostic(NULL) == NULL);
  CHECK(ipc_receipt_status(NULL) == 0 && ipc_receipt_request_id(NULL) == NULL);
  ipc_receipt_free(NULL); ipc_error_free(NULL); ipc_options_free(NULL); ipc_client_free(NULL);
  CHECK(strcmp(ipc_code_name(IPC_NOT_FOUND), "NOT_FOUND") == 0);
  CHECK(strcmp(ipc_code_name(IPC_PANIC), "PANIC") == 0);
  CHECK(strcmp(ipc_code_name((ipc_code)12345), "UNKNOWN") == 0);
  CHECK(strcmp(ipc_version(), "0.1.0") == 0);
  ipc_client_free(c);
  free(huge);
  return failures ? 1 : 0;
}

static char *copy_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *out = malloc(n);
  memcpy(out, s, n);
  return out;
}

static char **read_ids(const char *path, size_t *count) {
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); exit(1); }
  size_t cap = 1024, n = 0;
  char **ids = malloc(cap * sizeof *ids);
  char line[2048];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (n == cap) { cap *= 2; ids = realloc(ids, cap * sizeof *ids); }
    ids[n++] = copy_string(line);
  }
  fclose(f);
  *count = n;
  return ids;
}

struct tally { size_t count; unsigned *seen; size_t ok, failed, both_or_neither; };

static void on_result(void *user_data, size_t index, const ipc_receipt *receipt, const ipc_error *error) {
  struct tally *t = user_data;
  if (index < t->count) t->seen[index]++;
  if ((receipt == NULL) == (error == NULL)) t->both_or_neither++;
  if (receipt) t->ok++; else t->failed++;
}

static int bulk(char **argv) {
  ipc_client *c = make_client(argv[2], argv[3], 3, 100000);
  size_t n = 0;
  char **ids = read_ids(argv[4], &n);
  struct tally t = { n, calloc(n, sizeof(unsigned)), 0, 0, 0 };
  ipc_error *e = NULL;
  uint32_t pace_writes = argv[6] ? (uint32_t)atoi(argv[6]) : 0;
  uint64_t pace_ms = argv[6] && argv[7] ? (uint64_t)atoll(argv[7]) : 0;
  ipc_code rc = ipc_reset_passcodes_paced(c, (const char *const *)ids, n, (uint32_t)atoi(argv[5]), pace_writes, pace_ms,
                                          on_result, &t, &e);
  CHECK(rc == IPC_OK && e == NULL);
  size_t once = 0;
  for (size_t i = 0; i < n; i++) if (t.seen[i] == 1) once++;
  CHECK(once == n);
  CHECK(t.both_or_neither == 0);
  printf("{\"callbacks\":%zu,\"exactly_once\":%zu,\"ok\":%zu,\"failed\":%zu}\n", t.ok + t.failed, once, t.ok, t.failed);
  for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
  free(t.seen);
  ipc_client_free(c);
  return failures ? 1 : 0;
}

static int readback(char **argv) {
  ipc_client *c = make_client(argv[2], argv[3], 3, 100000);
  if (!c) return 1;
  for (int k = 4; k <= 5; k++) {
    ipc_receipt *r = NULL;
    ipc_action *a = NULL;
    ipc_error *e = NULL;
    CHECK(ipc_reset_passcode(c, argv[k], NULL, NULL, &r, &e) == IPC_OK);
    if (!r) { fprintf(stderr, "reset: %s\n", ipc_error_message(e)); ipc_error_free(e); return 1; }
    CHECK(strcmp(ipc_receipt_confirmed_by(r), "response") == 0 && ipc_receipt_action(r) == NULL);
    /* Graph's support headers, as every language has them. */
    CHECK(ipc_receipt_ags_diagnostic(r) != NULL && strstr(ipc_receipt_ags_diagnostic(r), "ServerInfo") != NULL);
    int64_t sent = ipc_receipt_sent_at_ms(r);
    CHECK(sent > 1700000000000LL);
    CHECK(ipc_wait_for_reset(c, argv[k], NULL, NULL, sent, 15000, &a, &e) == IPC_OK);
    if (!a) { fprintf(stderr, "wait: %s\n", ipc_error_message(e)); ipc_error_free(e); return 1; }
    CHECK(strcmp(ipc_action_state(a), "done") == 0 && ipc_action_is_final(a) == 1);
    CHECK(ipc_action_started_at_ms(a) + 1 >= sent && ipc_action_updated_at_ms(a) >= ipc_action_started_at_ms(a));
    CHECK(ipc_action_error_code(a) == 0);
    const char *p = ipc_action_passcode_reveal(a);
    if (k == 4) CHECK(p != NULL && strlen(p) == 8); else CHECK(p == NULL);
    ipc_action *again = NULL;
    CHECK(ipc_reset_status(c, argv[k], NULL, NULL, &again, &e) == IPC_OK && again != NULL);
    int accepted = -1;
    ipc_action *found = NULL;
    CHECK(ipc_confirm_reset(c, argv[k], NULL, NULL, sent, 2000, &accepted, &found, &e) == IPC_OK && accepted == 1);
    ipc_action_free(found);
    ipc_action_free(again);
    ipc_action_free(a);
    ipc_receipt_free(r);
  }
  /* Bad arguments, nothing sent: NULL out pointers, a time before 1970, a zero window. */
  ipc_action *a = NULL;
  ipc_error *e = NULL;
  int accepted = 0;
  CHECK(ipc_reset_status(c, argv[4], NULL, NULL, NULL, NULL) == IPC_NULL_PARAMETER);
  CHECK(ipc_confirm_reset(c, argv[4], NULL, NULL, 0, 1000, NULL, &a, NULL) == IPC_NULL_PARAMETER);
  CHECK(ipc_confirm_reset(c, argv[4], NULL, NULL, -1, 1000, &accepted, &a, &e) == IPC_INVALID_ARGUMENT && a == NULL);
  ipc_error_free(e);
  e = NULL;
  CHECK(ipc_wait_for_reset(c, argv[4], NULL, NULL, 0, 0, &a, &e) == IPC_INVALID_ARGUMENT);
  ipc_error_free(e);
  CHECK(ipc_action_state(NULL)[0] == 0 && ipc_action_passcode_reveal(NULL) == NULL);
  ipc_action_free(NULL);
  ipc_client_free(c);
  return failures ? 1 : 0;
}

static void print_verified(void *user_data, size_t index, const ipc_receipt *r, const ipc_error *e) {
  char **ids = user_data;
  if (r) {
    int confirmed = strcmp(ipc_receipt_confirmed_by(r), "action_result") == 0;
    if (confirmed) CHECK(ipc_receipt_status(r) == 504 && ipc_receipt_action(r) != NULL);
    printf("%s %s\n", ids[index], confirmed ? "CONFIRMED" : "OK");
  } else {
    if (ipc_error_code(e) == IPC_OUTCOME_UNKNOWN) CHECK(ipc_error_sent_at_ms(e) > 0);
    printf("%s %s\n", ids[index], ipc_code_name(ipc_error_code(e)));
  }
}

static int verify(char **argv) {
  ipc_client *c = make_client(argv[2], argv[3], 3, 100000);
  size_t n = 0;
  char **ids = read_ids(argv[4], &n);
  ipc_bulk_options *o = ipc_bulk_options_new();
  CHECK(o != NULL);
  CHECK(ipc_bulk_options_set_concurrency(o, 8) == IPC_OK);
  CHECK(ipc_bulk_options_set_pace(o, 0, 0) == IPC_OK);
  CHECK(ipc_bulk_options_set_verify_unknown_ms(o, 40000000000ULL) == IPC_INVALID_ARGUMENT); /* over a year */
  CHECK(ipc_bulk_options_set_verify_unknown_ms(o, 0) == IPC_OK);                        /* off */
  CHECK(ipc_bulk_options_set_verify_unknown_ms(o, 3000) == IPC_OK);
  CHECK(ipc_bulk_options_set_pace(NULL, 1, 1) == IPC_NULL_PARAMETER);
  ipc_error *e = NULL;
  CHECK(ipc_reset_passcodes_with(c, (const char *const *)ids, n, o, print_verified, ids, &e) == IPC_OK);
  ipc_bulk_options_free(o);
  ipc_bulk_options_free(NULL);
  for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
  ipc_client_free(c);
  return failures ? 1 : 0;
}

struct journal_tally { size_t ok, from_journal, failed, held_by_job; };

static void count_journal(void *user_data, size_t index, const ipc_receipt *r, const ipc_error *e) {
  (void)index;
  struct journal_tally *t = user_data;
  const char *held = r ? ipc_receipt_held_by(r) : ipc_error_held_by(e);
  t->held_by_job += (size_t)(held && strcmp(held, "job") == 0);
  if (r) { t->ok++; t->from_journal += (size_t)ipc_receipt_from_journal(r); }
  else { t->failed++; t->from_journal += (size_t)ipc_error_from_journal(e); }
}

/* `path` with `suffix` in place of its last 6 characters (".jsonl"), in a buffer the caller frees. */
static char *beside(const char *path, const char *suffix) {
  size_t n = strlen(path);
  char *out = malloc(n + strlen(suffix) + 1);
  if (!out) abort();
  memcpy(out, path, n - 6);
  strcpy(out + n - 6, suffix);
  return out;
}

static int journal(char **argv) {
  ipc_client *c = make_client(argv[2], argv[3], 3, 100000);
  size_t n = 0;
  char **ids = read_ids(argv[4], &n);
  ipc_bulk_options *o = ipc_bulk_options_new();
  CHECK(ipc_bulk_options_set_pace(o, 0, 0) == IPC_OK);
  CHECK(ipc_bulk_options_set_journal(o, argv[5]) == IPC_OK);
  CHECK(ipc_bulk_options_set_retry_failed(o, 0) == IPC_OK);
  CHECK(ipc_bulk_options_set_resend_unconfirmed(o, 0) == IPC_OK);
  for (int round = 0; round < 2; round++) {
    struct journal_tally t = {0, 0, 0, 0};
    ipc_error *e = NULL;
    CHECK(ipc_reset_passcodes_with(c, (const char *const *)ids, n, o, count_journal, &t, &e) == IPC_OK);
    CHECK(t.ok == n && t.failed == 0);
    CHECK(t.from_journal == (round == 0 ? 0 : n));
    CHECK(t.held_by_job == 0);
    ipc_error_free(e);
  }
  /* Another job in the same folder: every device is held by "job" (the first journal) and nothing is sent; with the
     other jobs not consulted (recent 0), every device is reset again. */
  char *second = beside(argv[5], "-2.jsonl"), *third = beside(argv[5], "-3.jsonl");
  for (int round = 0; round < 2; round++) {
    struct journal_tally t = {0, 0, 0, 0};
    ipc_error *e = NULL;
    CHECK(ipc_bulk_options_set_journal(o, round == 0 ? second : third) == IPC_OK);
    CHECK(ipc_bulk_options_set_recent_ms(o, round == 0 ? 7ull * 86400000ull : 0) == IPC_OK);
    CHECK(ipc_reset_passcodes_with(c, (const char *const *)ids, n, o, count_journal, &t, &e) == IPC_OK);
    CHECK(t.ok == n && t.failed == 0);
    CHECK(t.held_by_job == (round == 0 ? n : 0));
    CHECK(t.from_journal == (round == 0 ? n : 0));
    ipc_error_free(e);
  }
  CHECK(ipc_bulk_options_set_recent_ms(NULL, 0) == IPC_NULL_PARAMETER);
  free(second);
  free(third);
  CHECK(ipc_bulk_options_set_journal(o, argv[5]) == IPC_OK);
  ipc_journal_counts counts;
  ipc_error *e = NULL;
  CHECK(ipc_journal_summary(argv[5], &counts, &e) == IPC_OK);
  CHECK(counts.total == n && counts.ok == n && counts.unknown == 0 && counts.sending == 0);
  CHECK(ipc_journal_summary(argv[4], &counts, &e) == IPC_INVALID_ARGUMENT); /* the IDs file is no journal */
  ipc_error_free(e);
  CHECK(ipc_journal_summary(argv[5], NULL, NULL) == IPC_NULL_PARAMETER);
  /* A file that is not a journal is refused: nothing sent, the callback never called. */
  CHECK(ipc_bulk_options_set_journal(o, argv[4]) == IPC_OK);
  struct journal_tally t = {0, 0, 0, 0};
  e = NULL;
  CHECK(ipc_reset_passcodes_with(c, (const char *const *)ids, n, o, count_journal, &t, &e) == IPC_INVALID_ARGUMENT);
  CHECK(t.ok == 0 && t.failed == 0);
  ipc_error_free(e);
  ipc_bulk_options_free(o);
  for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
  ipc_client_free(c);
  return failures ? 1 : 0;
}

struct worker { ipc_client *client; char **ids; size_t from; size_t ok; };

static void *work(void *arg) {
  struct worker *w = arg;
  for (size_t i = 0; i < 100; i++) {
    ipc_receipt *r = NULL;
    ipc_error *e = NULL;
    if (ipc_reset_passcode(w->client, w->ids[w->from + i], NULL, NULL, &r, &e) == IPC_OK) w->ok++;
    else fprintf(stderr, "%s\n", ipc_error_message(e));
    ipc_receipt_free(r);
    ipc_error_free(e);
  }
  return NULL;
}

static int threads(char **argv) {
  ipc_client *c = make_client(argv[2], argv[3], 3, 100000);
  size_t n = 0;
  char **ids = read_ids(argv[4], &n);
  CHECK(n >= 800);
  pthread_t th[8];
  struct worker w[8];
  for (int i = 0; i < 8; i++) { w[i] = (struct worker){ c, ids, (size_t)i * 100, 0 }; pthread_create(&th[i], NULL, work, &w[i]); }
  size_t ok = 0;
  for (int i = 0; i < 8; i++) { pthread_join(th[i], NULL); ok += w[i].ok; }
  CHECK(ok == 800);
  printf("{\"ok\":%zu}\n", ok);
  for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
  ipc_client_free(c);
  return failures ? 1 : 0;
}

static ipc_code one(ipc_client *c, const char *device, ipc_error **e) {
  ipc_receipt *r = NULL;
  ipc_code rc = ipc_reset_passcode(c, device, NULL, NULL, &r, e);
  ipc_receipt_free(r);
  return rc;
}

static int errors(char **argv) {
  ipc_client *c = make_client(argv[2], argv[3], 0, 20000);
  ipc_error *e = NULL;
  CHECK(one(c, "no-such-device", &e) == IPC_NOT_FOUND);
  CHECK(ipc_error_status(e) == 404 && strcmp(ipc_error_graph_code(e), "ResourceNotFound") == 0);
  CHECK(ipc_error_graph_message(e) != NULL && strlen(ipc_error_graph_message(e)) > 0);
  CHECK(strstr(ipc_error_message(e), ipc_error_graph_message(e)) != NULL);
  CHECK(ipc_error_request_id(e) != NULL && ipc_error_client_request_id(e) != NULL && ipc_error_date(e) != NULL);
  CHECK(strstr(ipc_error_message(e), "NOT_FOUND") != NULL);
  ipc_error_free(e); e = NULL;
  ipc_client *bad = make_client(argv[2], "not-a-token", 0, 20000);
  CHECK(one(bad, "d", &e) == IPC_AUTHENTICATION && ipc_error_status(e) == 401);
  ipc_error_free(e); e = NULL;
  ipc_client_free(bad);

  ipc_options *o = ipc_options_new();
  ipc_options_set_base_url(o, argv[2]);
  ipc_options_set_authority_url(o, argv[4]);
  ipc_options_set_client_secret(o, argv[5], argv[6], "wrong-secret");
  ipc_client *cred = NULL;
  CHECK(ipc_client_new(o, &cred, NULL) == IPC_OK);
  CHECK(one(cred, "d", &e) == IPC_CREDENTIAL && strstr(ipc_error_message(e), "AADSTS7000215") != NULL);
  CHECK(strstr(ipc_error_message(e), "wrong-secret") == NULL);
  ipc_error_free(e); e = NULL;
  ipc_client_free(cred);
  ipc_options_free(o);

  ipc_client *dead = make_client("http://127.0.0.1:9/v1.0", "t", 0, 20000);
  CHECK(one(dead, "d", &e) == IPC_NETWORK && ipc_error_status(e) == 0);
  ipc_error_free(e); e = NULL;
  ipc_client_free(dead);
  ipc_client_free(c);
  return failures ? 1 : 0;
}

/* The devices of the credentials checks, one per successful reset. */
static char **cred_ids;
static size_t cred_count, cred_next;

/* A client from `o` (freed here) resets the next device: the code it returns, and its error in `e`. */
static ipc_code reset_with(ipc_options *o, const char *url, ipc_error **e) {
  const char *device = cred_next < cred_count ? cred_ids[cred_next] : "no-device-left";
  ipc_client *c = NULL;
  ipc_options_set_base_url(o, url);
  ipc_options_set_timeout_ms(o, 20000);
  ipc_code rc = ipc_client_new(o, &c, e);
  ipc_options_free(o);
  if (rc != IPC_OK) return rc;
  rc = one(c, device, e);
  if (rc == IPC_OK) cred_next++;
  ipc_client_free(c);
  return rc;
}

static const char *const AZURE_VARS[] = {"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_AUTHORITY_HOST",
  "AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_POD_IDENTITY_AUTHORITY_HOST", NULL};

static void clear_azure_vars(void) {
  for (const char *const *v = AZURE_VARS; *v; v++) unsetenv(*v);
}

static int credentials(char **argv) {
  const char *url = argv[2], *auth = argv[3], *tenant = argv[4], *cid = argv[5], *pem = argv[6], *pfx = argv[7],
             *pfx_pw = argv[8], *expired = argv[9], *encrypted = argv[10], *base = argv[11], *id_endpoint = argv[12],
             *id_header = argv[13], *federated = argv[14];
  cred_ids = read_ids(argv[15], &cred_count);
  ipc_error *e = NULL;
  ipc_options *o;
  clear_azure_vars();

  /* Certificates: PEM, PFX with its password. */
  o = ipc_options_new();
  ipc_options_set_authority_url(o, auth);
  CHECK(ipc_options_set_certificate(o, tenant, cid, pem, NULL) == IPC_OK);
  CHECK(reset_with(o, url, &e) == IPC_OK);
  o = ipc_options_new();
  ipc_options_set_authority_url(o, auth);
  CHECK(ipc_options_set_certificate(o, tenant, cid, pfx, pfx_pw) == IPC_OK);
  CHECK(reset_with(o, url, &e) == IPC_OK);
  CHECK(ipc_options_set_certificate(NULL, tenant, cid, pfx, pfx_pw) == IPC_NULL_PARAMETER);

  /* Bad ones: refused by ipc_client_new, naming the file, never the password or key. */
  const char *bad[][3] = {{pfx, "hunter2-wrong", "password is wrong"}, {encrypted, NULL, "is encrypted"}};
  for (size_t k = 0; k < 2; k++) {
    o = ipc_options_new();
    ipc_options_set_authority_url(o, auth);
    ipc_options_set_certificate(o, tenant, cid, bad[k][0], bad[k][1]);
    CHECK(reset_with(o, url, &e) == IPC_CREDENTIAL);
    CHECK(e && strstr(ipc_error_message(e), bad[k][2]) && strstr(ipc_error_message(e), bad[k][0]));
    CHECK(e && !strstr(ipc_error_message(e), "hunter2-wrong") && !strstr(ipc_error_message(e), "BEGIN"));
    ipc_error_free(e); e = NULL;
  }
  /* An expired certificate: Entra ID's answer with its AADSTS code. */
  o = ipc_options_new();
  ipc_options_set_authority_url(o, auth);
  ipc_options_set_certificate(o, tenant, cid, expired, NULL);
  CHECK(reset_with(o, url, &e) == IPC_CREDENTIAL && strstr(ipc_error_message(e), "AADSTS700027"));
  ipc_error_free(e); e = NULL;

  /* Managed identity: IMDS (system-assigned, user-assigned), then App Service. */
  setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", base, 1);
  o = ipc_options_new();
  CHECK(ipc_options_set_managed_identity(o, NULL) == IPC_OK);
  CHECK(reset_with(o, url, &e) == IPC_OK);
  o = ipc_options_new();
  CHECK(ipc_options_set_managed_identity(o, cid) == IPC_OK);
  CHECK(reset_with(o, url, &e) == IPC_OK);
  setenv("IDENTITY_ENDPOINT", id_endpoint, 1);
  setenv("IDENTITY_HEADER", id_header, 1);
  o = ipc_options_new();
  ipc_options_set_managed_identity(o, NULL);
  CHECK(reset_with(o, url, &e) == IPC_OK);
  setenv("IDENTITY_HEADER", "wrong-header-value", 1);
  o = ipc_options_new();
  ipc_options_set_managed_identity(o, NULL);
  CHECK(reset_with(o, url, &e) == IPC_CREDENTIAL && ipc_error_status(e) == 401);
  CHECK(e && !strstr(ipc_error_message(e), "wrong-header-value") && !strstr(ipc_error_message(e), id_header));
  ipc_error_free(e); e = NULL;
  clear_azure_vars();

  /* Workload identity, then the environment (a certificate), then nothing configured: every reason listed. */
  setenv("AZURE_TENANT_ID", tenant, 1);
  setenv("AZURE_CLIENT_ID", cid, 1);
  setenv("AZURE_AUTHORITY_HOST", auth, 1);
  setenv("AZURE_FEDERATED_TOKEN_FILE", federated, 1);
  o = ipc_options_new();
  CHECK(ipc_options_set_workload_identity(o) == IPC_OK);
  CHECK(reset_with(o, url, &e) == IPC_OK);
  unsetenv("AZURE_FEDERATED_TOKEN_FILE");
  setenv("AZURE_CLIENT_CERTIFICATE_PATH", pfx, 1);
  setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", pfx_pw, 1);
  o = ipc_options_new();
  CHECK(ipc_options_use_environment(o) == IPC_OK);
  CHECK(reset_with(o, url, &e) == IPC_OK);
  clear_azure_vars();
  setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9", 1);
  o = ipc_options_new();
  ipc_options_use_environment(o);
  CHECK(reset_with(o, url, &e) == IPC_CREDENTIAL);
  CHECK(e && strstr(ipc_error_message(e), "environment:") && strstr(ipc_error_message(e), "workload identity:"));
  ipc_error_free(e); e = NULL;
  /* Two kinds at once is an invalid argument, not a guess. */
  o = ipc_options_new();
  ipc_options_set_token(o, "t");
  ipc_options_set_managed_identity(o, NULL);
  CHECK(reset_with(o, url, &e) == IPC_INVALID_ARGUMENT);
  ipc_error_free(e); e = NULL;
  clear_azure_vars();
  CHECK(cred_next == 7);
  for (size_t k = 0; k < cred_count; k++) free(cred_ids[k]);
  free(cred_ids);
  return failures ? 1 : 0;
}

/* Print everything an error carries, for the secrets audit. */
static void print_error(const char *what, ipc_code rc, const ipc_error *e) {
  printf("%s: %s status=%u message=%s graph_code=%s request_id=%s client_request_id=%s date=%s attempts=%u "
         "retry_after_ms=%llu\n", what, ipc_code_name(rc), ipc_error_status(e), ipc_error_message(e),
         ipc_error_graph_code(e) ? ipc_error_graph_code(e) : "-", ipc_error_request_id(e) ? ipc_error_request_id(e) : "-",
         ipc_error_client_request_id(e) ? ipc_error_client_request_id(e) : "-", ipc_error_date(e) ? ipc_error_date(e) : "-",
         ipc_error_attempts(e), (unsigned long long)ipc_error_retry_after_ms(e));
}

static void secret_call(const char *what, const char *url, const char *authority, const char *tenant,
                        const char *client_id, const char *secret, const char *token, const char *device) {
  ipc_options *o = ipc_options_new();
  ipc_error *e = NULL;
  ipc_code rc = ipc_options_set_base_url(o, url);
  if (rc == IPC_OK && token) rc = ipc_options_set_token(o, token);
  if (rc == IPC_OK && secret) {
    ipc_options_set_authority_url(o, authority);
    rc = ipc_options_set_client_secret(o, tenant, client_id, secret);
  }
  ipc_options_set_max_retries(o, 1);
  ipc_client *c = NULL;
  if (rc == IPC_OK) rc = ipc_client_new(o, &c, &e);
  if (rc == IPC_OK) rc = one(c, device, &e);
  if (rc == IPC_OK) printf("%s: OK\n", what); else if (e) print_error(what, rc, e); else printf("%s: %s\n", what, ipc_code_name(rc));
  ipc_error_free(e);
  ipc_client_free(c);
  ipc_options_free(o);
}

static int secrets(char **argv) {
  const char *url = argv[2], *token = argv[3], *auth = argv[4], *tenant = argv[5], *cid = argv[6], *csec = argv[7];
  const char *uid = argv[8], *usec = argv[9], *fake_token = argv[10], *fake_secret = argv[11], *dev = argv[12];
  secret_call("404", url, auth, tenant, cid, NULL, token, "no-such-device");
  secret_call("403", url, auth, tenant, uid, usec, NULL, dev);
  secret_call("429", url, auth, tenant, cid, NULL, token, "secrets-429");
  secret_call("401", url, auth, tenant, cid, NULL, fake_token, dev);
  secret_call("wrong secret", url, auth, tenant, cid, fake_secret, NULL, dev);
  secret_call("right secret", url, auth, tenant, cid, csec, NULL, "no-such-device");
  secret_call("invalid id", url, auth, tenant, cid, NULL, token, "a/../b\x01");
  secret_call("http to another host", "http://graph.example.com/v1.0", auth, tenant, cid, NULL, fake_token, "d");
  secret_call("other cloud's host", "https://graph.microsoft.us/v1.0", auth, tenant, cid, NULL, fake_token, "d");
  secret_call("token with a newline", url, auth, tenant, cid, NULL, "fake\ntoken", "d");
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 13 && strcmp(argv[1], "secrets") == 0) return secrets(argv);
  if (argc >= 12 && strcmp(argv[1], "vector") == 0) return vector(argv);
  if (argc >= 2 && strcmp(argv[1], "hostile") == 0) return hostile();
  if (argc >= 6 && strcmp(argv[1], "bulk") == 0) return bulk(argv);
  if (argc >= 5 && strcmp(argv[1], "threads") == 0) return threads(argv);
  if (argc >= 6 && strcmp(argv[1], "readback") == 0) return readback(argv);
  if (argc >= 5 && strcmp(argv[1], "verify") == 0) return verify(argv);
  if (argc >= 6 && strcmp(argv[1], "journal") == 0) return journal(argv);
  if (argc >= 7 && strcmp(argv[1], "errors") == 0) return errors(argv);
  if (argc >= 16 && strcmp(argv[1], "credentials") == 0) return credentials(argv);
  fprintf(stderr, "usage: see the comment at the top of test_c.c\n");
  return 2;
}
