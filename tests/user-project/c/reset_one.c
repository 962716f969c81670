/* Reset one device's passcode with the C API of intune-passcode and print Graph's request-id.
 *   reset_one GRAPH_URL TOKEN DEVICE_ID
 * Exit 0 when Graph answered 204; otherwise non-zero, with the error's code and message on stderr. */
#include <stdio.h>
#include "intune_passcode.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s GRAPH_URL TOKEN DEVICE_ID\n", argv[0]);
    return 2;
  }
  ipc_error *error = NULL;
  ipc_options *options = ipc_options_new();
  ipc_code rc = ipc_options_set_base_url(options, argv[1]);
  if (rc == IPC_OK) rc = ipc_options_set_token(options, argv[2]);
  if (rc != IPC_OK) {
    fprintf(stderr, "reset_one: options: %s\n", ipc_code_name(rc));
    ipc_options_free(options);
    return 1;
  }
  ipc_client *client = NULL;
  rc = ipc_client_new(options, &client, &error);
  ipc_options_free(options);
  if (rc != IPC_OK) {
    fprintf(stderr, "reset_one: %s: %s\n", ipc_code_name(rc), ipc_error_message(error));
    ipc_error_free(error);
    return 1;
  }

  ipc_receipt *receipt = NULL;
  int exit_code = 0;
  rc = ipc_reset_passcode(client, argv[3], NULL, NULL, &receipt, &error);
  if (rc != IPC_OK) {
    /* IPC_OUTCOME_UNKNOWN means "sent, maybe executed": a script must never send it again blindly. */
    fprintf(stderr, "reset_one: %s: %s\n", ipc_code_name(rc), ipc_error_message(error));
    exit_code = rc == IPC_OUTCOME_UNKNOWN ? 3 : 1;
  } else if (ipc_receipt_status(receipt) != 204) {
    fprintf(stderr, "reset_one: Graph answered %u, not 204\n", (unsigned)ipc_receipt_status(receipt));
    exit_code = 1;
  } else {
    const char *request_id = ipc_receipt_request_id(receipt);
    printf("reset %s: 204 request-id %s\n", argv[3], request_id ? request_id : "(none)");
  }
  ipc_receipt_free(receipt);
  ipc_error_free(error);
  ipc_client_free(client);
  return exit_code;
}
