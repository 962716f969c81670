/* A C program as a user writes one against the release archive: reset DEVICE at GRAPH_URL with TOKEN.
 * Built by scripts/dist-check.sh through CMake (find_package) and through pkg-config, statically and dynamically. */
#include <stdio.h>
#include "intune_passcode.h"

/* A name a program's own libraries commonly define (zlib): ours must not clash with it. */
int deflate(void *stream, int flush) { (void)stream; return flush; }

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: consumer GRAPH_URL TOKEN DEVICE\n"); return 2; }
  ipc_options *o = ipc_options_new();
  ipc_options_set_base_url(o, argv[1]);
  ipc_options_set_token(o, argv[2]);
  ipc_client *c = NULL;
  ipc_error *e = NULL;
  if (ipc_client_new(o, &c, &e) != IPC_OK) { fprintf(stderr, "%s\n", ipc_error_message(e)); return 1; }
  ipc_options_free(o);
  ipc_receipt *r = NULL;
  ipc_code rc = ipc_reset_passcode(c, argv[3], NULL, NULL, &r, &e);
  if (rc != IPC_OK) { fprintf(stderr, "%s\n", ipc_error_message(e)); ipc_error_free(e); ipc_client_free(c); return 1; }
  printf("C: status %u request-id %s\n", (unsigned)ipc_receipt_status(r), ipc_receipt_request_id(r));
  ipc_receipt_free(r);
  ipc_client_free(c);
  return deflate(NULL, 0);
}
