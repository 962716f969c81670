/* Reset one device, then several in bulk with progress, handling errors by code.
 *   cc examples/reset.c $(pkg-config --cflags --libs intune_passcode-static) -o reset
 *   (or intune_passcode, the shared library, with -Wl,-rpath,<its lib folder>)
 *   ./reset GRAPH_URL TOKEN DEVICE_ID [MORE_DEVICE_IDS...]
 * Exits 1 when the first device's reset or the bulk run's start failed (a device of the bulk run failing is printed,
 * not an exit status). */
#include <stdio.h>
#include "intune_passcode.h"

static void on_result(void *user_data, size_t index, const ipc_receipt *receipt, const ipc_error *error) {
  const char *const *ids = user_data;
  if (receipt) printf("[%zu] %s: ok, request-id %s\n", index + 1, ids[index], ipc_receipt_request_id(receipt));
  else printf("[%zu] %s: %s\n", index + 1, ids[index], ipc_code_name(ipc_error_code(error)));
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: %s GRAPH_URL TOKEN DEVICE_ID [MORE...]\n", argv[0]); return 2; }
  ipc_options *options = ipc_options_new();
  ipc_options_set_base_url(options, argv[1]);
  ipc_options_set_token(options, argv[2]);
  ipc_client *client = NULL;
  ipc_error *error = NULL;
  if (ipc_client_new(options, &client, &error) != IPC_OK) {
    fprintf(stderr, "%s\n", ipc_error_message(error));
    ipc_error_free(error);
    ipc_options_free(options);
    return 1;
  }
  ipc_options_free(options);

  int status = 0;
  ipc_receipt *receipt = NULL;
  ipc_code rc = ipc_reset_passcode(client, argv[3], NULL, NULL, &receipt, &error);
  if (rc == IPC_OK) {
    printf("reset %s: HTTP %u, request-id %s, attempts %u\n", argv[3], ipc_receipt_status(receipt),
           ipc_receipt_request_id(receipt), ipc_receipt_attempts(receipt));
  } else if (rc == IPC_OUTCOME_UNKNOWN) {
    printf("%s: sent but unconfirmed; check the device before retrying\n", argv[3]);
    status = 1;
  } else {
    status = 1;
    printf("%s: %s (HTTP %u) request-id=%s\n", argv[3], ipc_code_name(rc), ipc_error_status(error),
           ipc_error_request_id(error) ? ipc_error_request_id(error) : "-");
  }
  ipc_receipt_free(receipt);
  ipc_error_free(error);
  error = NULL;

  const char *const *more = (const char *const *)argv + 4;
  if (ipc_reset_passcodes(client, more, (size_t)(argc - 4), 8, on_result, (void *)more, &error) != IPC_OK) {
    fprintf(stderr, "%s\n", ipc_error_message(error));
    ipc_error_free(error);
    status = 1;
  }
  ipc_client_free(client);
  return status;
}
