// The C++ side of the release-archive check: the same reset, through the header from C++17.
#include <cstdio>
#include <memory>
#include "intune_passcode.h"

int main(int argc, char **argv) {
  if (argc != 4) { std::fprintf(stderr, "usage: consumer_cpp GRAPH_URL TOKEN DEVICE\n"); return 2; }
  std::unique_ptr<ipc_options, decltype(&ipc_options_free)> o(ipc_options_new(), ipc_options_free);
  ipc_options_set_base_url(o.get(), argv[1]);
  ipc_options_set_token(o.get(), argv[2]);
  ipc_client *raw = nullptr;
  ipc_error *e = nullptr;
  if (ipc_client_new(o.get(), &raw, &e) != IPC_OK) { std::fprintf(stderr, "%s\n", ipc_error_message(e)); return 1; }
  std::unique_ptr<ipc_client, decltype(&ipc_client_free)> c(raw, ipc_client_free);
  ipc_receipt *r = nullptr;
  if (ipc_reset_passcode(c.get(), argv[3], nullptr, nullptr, &r, &e) != IPC_OK) {
    std::fprintf(stderr, "%s\n", ipc_error_message(e));
    ipc_error_free(e);
    return 1;
  }
  std::printf("C++: status %u request-id %s\n", static_cast<unsigned>(ipc_receipt_status(r)), ipc_receipt_request_id(r));
  ipc_receipt_free(r);
  return 0;
}
