// weft-http, the program, with real clients: the greeting on any method and path, /echo,
// the WebSocket echo (Python websockets), files with --root (curl, with a range and a
// conditional request), and a clean exit on SIGTERM. Both APIs.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"
#include "command.h"
#include "loopback_client.h"

namespace weft::test {
namespace {

namespace fs = std::filesystem;

// Runs weft-http on a free loopback port and reads the port from its start-up line.
class HttpTool {
 public:
  explicit HttpTool(std::vector<std::string> flags) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    out_ = fds[0];
    std::vector<std::string> args = {"weft-http", "--addr", "tcp://127.0.0.1:0", "--loops", "2"};
    args.insert(args.end(), flags.begin(), flags.end());
    child_.emplace([&](int) {
      ::dup2(fds[1], STDOUT_FILENO);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(WEFT_HTTP_PATH, argv.data());
      return 127;
    });
    ::close(fds[1]);
    // "weft-http (callback API) listening on tcp://127.0.0.1:PORT with 2 loop(s)..."
    std::string line;
    char c;
    while (line.find('\n') == std::string::npos) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0 || ::read(out_, &c, 1) != 1) break;
      line += c;
    }
    const size_t at = line.find("127.0.0.1:");
    if (at != std::string::npos) port_ = std::atoi(line.c_str() + at + 10);
  }
  ~HttpTool() {
    if (child_ && !exited_) {
      child_->signal(SIGKILL);
      child_->wait_exit();
    }
    if (out_ >= 0) ::close(out_);
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  // SIGTERM; the exit status, or nullopt if it did not exit in time.
  std::optional<int> stop() {
    child_->signal(SIGTERM);
    auto status = child_->wait_exit();
    exited_ = status.has_value();
    return status;
  }

 private:
  std::optional<ChildProcess> child_;
  int out_ = -1;
  int port_ = 0;
  bool exited_ = false;
};

CommandResult curl(std::vector<std::string> args) {
  args.insert(args.begin(), {"curl", "-sS", "--max-time", "10"});
  return run_command(args);
}

class HttpToolTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HttpToolTest, ServesTheGreetingTheEchoAndTheWebSocket) {
  ASSERT_TRUE(have_program("curl")) << "curl is missing (make test installs it)";
  HttpTool tool({"--api", GetParam()});
  ASSERT_NE(tool.port(), 0);

  CommandResult r = curl({tool.url("/any/path"), "-X", "DELETE"});
  EXPECT_EQ(r.out, "Hello, World!\n") << r.describe();
  r = curl({"-i", "-H", "Content-Type: text/x-test", "--data-binary", "ping pong", tool.url("/echo")});
  EXPECT_TRUE(r.out.starts_with("HTTP/1.1 200 OK\r\n")) << r.out;
  EXPECT_NE(r.out.find("Content-Type: text/x-test\r\n"), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.ends_with("\r\n\r\nping pong")) << r.out;

  const std::string script =
      "import asyncio, sys, websockets\n"
      "async def main():\n"
      "    async with websockets.connect(sys.argv[1], max_size=None) as ws:\n"
      "        await ws.send('hello')\n"
      "        print(await ws.recv())\n"
      "        big = bytes(range(256)) * 4096\n"
      "        await ws.send(big)\n"
      "        print('big', (await ws.recv()) == big)\n"
      "        await ws.close(4002, 'done')\n"
      "        print('closed', ws.close_code)\n"
      "asyncio.run(main())\n";
  r = run_command({"/usr/bin/python3", "-c", script, "ws://127.0.0.1:" + std::to_string(tool.port()) + "/ws"});
  EXPECT_EQ(r.out, "hello\nbig True\nclosed 4002\n") << r.describe();

  EXPECT_EQ(tool.stop(), 0);
}

TEST_P(HttpToolTest, ServesFilesUnderTheRoot) {
  ASSERT_TRUE(have_program("curl")) << "curl is missing (make test installs it)";
  char tmpl[] = "/tmp/weft-http-tool-XXXXXX";
  const fs::path root = ::mkdtemp(tmpl);
  std::ofstream(root / "page.html") << "<p>0123456789</p>\n";
  HttpTool tool({"--api", GetParam(), "--root", root.string()});
  ASSERT_NE(tool.port(), 0);

  CommandResult r = curl({"-i", tool.url("/page.html")});
  EXPECT_NE(r.out.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.ends_with("\r\n\r\n<p>0123456789</p>\n")) << r.out;
  const size_t tag_at = r.out.find("ETag: ");
  ASSERT_NE(tag_at, std::string::npos) << r.out;
  const std::string etag = r.out.substr(tag_at + 6, r.out.find("\r\n", tag_at) - tag_at - 6);
  r = curl({"-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: " + etag, tool.url("/page.html")});
  EXPECT_EQ(r.out, "304");
  r = curl({"-r", "3-6", "-w", " %{http_code}", tool.url("/page.html")});
  EXPECT_EQ(r.out, "0123 206");
  r = curl({"-o", "/dev/null", "-w", "%{http_code}", tool.url("/missing.html")});
  EXPECT_EQ(r.out, "404");
  r = curl({"-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", tool.url("/../etc/passwd")});
  EXPECT_EQ(r.out, "400");
  // Other methods, and the other routes, stay.
  r = curl({"-X", "POST", tool.url("/page.html")});
  EXPECT_EQ(r.out, "Hello, World!\n");
  r = curl({"--data-binary", "x", tool.url("/echo")});
  EXPECT_EQ(r.out, "x");

  EXPECT_EQ(tool.stop(), 0);
  fs::remove_all(root);
}

INSTANTIATE_TEST_SUITE_P(Apis, HttpToolTest, ::testing::Values("callback", "coro"));

}  // namespace
}  // namespace weft::test
