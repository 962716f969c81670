// C++17: the header compiles and works with RAII wrappers.  test_cpp GRAPH_URL TOKEN DEVICE_ID
#include <cstdio>
#include <memory>
#include <string>
#include "intune_passcode.h"

struct Free {
  void operator()(ipc_options *p) const { ipc_options_free(p); }
  void operator()(ipc_client *p) const { ipc_client_free(p); }
  void operator()(ipc_receipt *p) const { ipc_receipt_free(p); }
  void operator()(ipc_error *p) const { ipc_error_free(p); }
};
template <typename T> using owned = std::unique_ptr<T, Free>;

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  owned<ipc_options> options(ipc_options_new());
  if (ipc_options_set_base_url(options.get(), argv[1]) != IPC_OK || ipc_options_set_token(options.get(), argv[2]) != IPC_OK) return 1;
  ipc_client *raw_client = nullptr;
  if (ipc_client_new(options.get(), &raw_client, nullptr) != IPC_OK) return 1;
  owned<ipc_client> client(raw_client);
  ipc_receipt *raw_receipt = nullptr;
  ipc_error *raw_error = nullptr;
  const ipc_code rc = ipc_reset_passcode(client.get(), argv[3], nullptr, nullptr, &raw_receipt, &raw_error);
  owned<ipc_receipt> receipt(raw_receipt);
  owned<ipc_error> error(raw_error);
  if (rc != IPC_OK) {
    std::fprintf(stderr, "%s\n", ipc_error_message(error.get()));
    return 1;
  }
  const std::string request_id = ipc_receipt_request_id(receipt.get());
  std::printf("{\"status\":%u,\"request_id\":\"%s\"}\n", ipc_receipt_status(receipt.get()), request_id.c_str());
  return ipc_receipt_status(receipt.get()) == 204 ? 0 : 1;
}
