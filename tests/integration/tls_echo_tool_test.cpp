// weft-echo, the program, over TLS: --tls-cert and --tls-key serve a verified echo, and
// SIGHUP makes it use new certificate files for new handshakes.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "ports.h"
#include "tls_files.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

std::string python(const TlsFiles& files, uint16_t port, const std::string& name) {
  std::string json = "{\"port\": " + std::to_string(port) + ", \"ca\": \"" + files.path("ca.pem") + "\", \"name\": \"" +
                     name + "\", \"sizes\": [1, 70000]}";
  return run_command("/usr/bin/python3 " + std::string(WEFT_SOURCE_DIR) + "/tests/support/tls_client.py '" + json + "'",
                     30)
      .output;
}

TEST(TlsEchoTool, ServesTlsAndReloadsOnSighup) {
  TlsFiles files;
  namespace fs = std::filesystem;
  fs::copy_file(files.path("server.pem"), files.path("live.pem"));
  fs::copy_file(files.path("server.key"), files.path("live.key"));
  uint16_t port = unused_tcp_port();
  std::vector<std::string> args = {"weft-echo",  "--quiet",
                                   "--loops",    "2",
                                   "--addr",     "tcp://127.0.0.1:" + std::to_string(port),
                                   "--tls-cert", files.path("live.pem"),
                                   "--tls-key",  files.path("live.key")};
  ChildProcess child([&](int) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(WEFT_ECHO_PATH, argv.data());
    return 127;
  });
  ASSERT_TRUE(child.started());
  std::string out;
  for (auto deadline = std::chrono::steady_clock::now() + kWait; std::chrono::steady_clock::now() < deadline;) {
    out = python(files, port, "localhost");
    if (out.find("ConnectionRefused") == std::string::npos) break;
    std::this_thread::sleep_for(20ms);  // Polling for the program to start listening.
  }
  EXPECT_NE(out.find("\"echo\": [true, true]"), std::string::npos) << out;

  fs::copy_file(files.path("other.pem"), files.path("live.pem"), fs::copy_options::overwrite_existing);
  fs::copy_file(files.path("other.key"), files.path("live.key"), fs::copy_options::overwrite_existing);
  ASSERT_TRUE(child.signal(SIGHUP));
  for (auto deadline = std::chrono::steady_clock::now() + kWait; std::chrono::steady_clock::now() < deadline;) {
    out = python(files, port, "other.test");
    if (out.find("\"echo\": [true, true]") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);  // The signal is handled by the program's own thread.
  }
  EXPECT_NE(out.find("\"echo\": [true, true]"), std::string::npos) << out;
  ASSERT_TRUE(child.signal(SIGTERM));
  auto status = child.wait_exit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

}  // namespace
}  // namespace weft::test
