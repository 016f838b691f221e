// SIGHUP reloads the log level from --log-level-file, in a server alone and in a master
// and every one of its workers: weft-http's debug line for a rejected request appears only
// once the file says debug; a file naming no level leaves the level as it was; "warn"
// silences the master's and the workers' info lines. A file that is unusable at start is a
// usage error, and SIGHUP without anything to reload leaves a server serving.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <string>

#include "loopback_client.h"
#include "program.h"

namespace weft::test {
namespace {

// A log level file in a directory of the test's own.
class LevelFile {
 public:
  LevelFile() {
    char tmpl[] = "/tmp/weft-level-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/log-level";
  }
  ~LevelFile() {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  void write(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }

 private:
  std::string dir_;
  std::string path_;
};

// A request weft-http's parser rejects: 400, and a debug line "rejecting a request".
void send_bad_request(const Address& address) {
  LoopbackClient client(address);
  ASSERT_TRUE(client.connected()) << client.connect_error();
  ASSERT_TRUE(client.send_all("NOT HTTP AT ALL\r\n\r\n").ok());
  std::string reply;
  client.read_to_eof(reply);
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
}

// Waits for `count` lines containing `text`, each from another process; their pids.
std::set<long> lines_from_processes(Program& program, const std::string& text, size_t count) {
  std::set<long> pids;
  for (size_t i = 0; i < count; ++i) {
    auto line = program.wait_line(text);
    EXPECT_TRUE(line) << "line " << i << " of " << count << " with '" << text << "' missing\n" << program.output();
    if (!line) break;
    pids.insert(number_after(*line, "weft-http["));
  }
  return pids;
}

TEST(ProgramReload, SighupReadsTheLogLevelFileInTheMasterAndEveryWorker) {
  LevelFile level;
  level.write("# the level weft-http logs at\ninfo\n");
  Program master(WEFT_HTTP_PATH, {"--workers", "2", "--loops", "1", "--addr", "tcp://127.0.0.1:0", "--quiet",
                                  "--log-level-file", level.path()});
  Address address = master_address(master);
  ASSERT_TRUE(master.wait_line("generation 1 ready")) << master.output();
  for (int i = 0; i < 4; ++i) send_bad_request(address);

  level.write("debug\n");
  master.signal(SIGHUP);
  std::set<long> pids = lines_from_processes(master, "]: SIGHUP: log level debug (from " + level.path() + ")", 3);
  EXPECT_EQ(pids.size(), 3u) << master.output();
  EXPECT_TRUE(pids.count(master.pid())) << master.output();
  constexpr int kDebugRequests = 6;
  for (int i = 0; i < kDebugRequests; ++i) send_bad_request(address);
  for (int i = 0; i < kDebugRequests; ++i) ASSERT_TRUE(master.wait_line("rejecting a request")) << master.output();
  // The four rejected at info were not logged (they came first, so they would be here).
  EXPECT_EQ(master.count_lines("rejecting a request"), static_cast<size_t>(kDebugRequests)) << master.output();

  level.write("loud\n");
  master.signal(SIGHUP);
  pids = lines_from_processes(master, "]: SIGHUP: log level stays debug: --log-level-file: ", 3);
  EXPECT_EQ(pids.size(), 3u) << master.output();
  send_bad_request(address);
  ASSERT_TRUE(master.wait_line("rejecting a request")) << master.output();

  level.write("warn\n");
  master.signal(SIGHUP);
  pids = lines_from_processes(master, "]: SIGHUP: log level warn", 3);
  EXPECT_EQ(pids.size(), 3u) << master.output();
  master.signal(SIGTERM);
  auto status = master.wait_exit();
  ASSERT_TRUE(status) << master.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "status " << *status << "\n" << master.output();
  // The stop's info lines, the master's and the workers', are below warn.
  EXPECT_EQ(master.count_lines("stopping"), 0u) << master.output();
  EXPECT_EQ(master.count_lines("stopped"), 0u) << master.output();
}

TEST(ProgramReload, SighupReadsTheLogLevelFileInAServerAlone) {
  LevelFile level;
  level.write("error\n");
  Program server(WEFT_HTTP_PATH, {"--loops", "1", "--addr", "tcp://127.0.0.1:0", "--log-level-file", level.path()});
  auto listening = server.wait_line("listening on ");
  ASSERT_TRUE(listening) << server.output();
  Address address = address_in(*listening);
  send_bad_request(address);
  level.write("debug");
  server.signal(SIGHUP);
  auto line = server.wait_line("]: SIGHUP: log level debug");
  ASSERT_TRUE(line) << server.output();
  EXPECT_EQ(number_after(*line, "weft-http["), server.pid()) << *line;
  send_bad_request(address);
  ASSERT_TRUE(server.wait_line("rejecting a request")) << server.output();
  EXPECT_EQ(server.count_lines("rejecting a request"), 1u) << server.output();
  server.signal(SIGTERM);
  auto status = server.wait_exit();
  ASSERT_TRUE(status) << server.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "status " << *status << "\n" << server.output();
}

TEST(ProgramReload, AnUnusableLevelFileAtStartIsAUsageError) {
  LevelFile level;
  level.write("chatty\n");
  Program server(WEFT_KV_PATH, {"--addr", "tcp://127.0.0.1:0", "--log-level-file", level.path()});
  auto status = server.wait_exit();
  ASSERT_TRUE(status) << server.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << "status " << *status << "\n" << server.output();
  EXPECT_EQ(server.count_lines("weft-kv: --log-level-file: '" + level.path() + "' names no level"), 1u)
      << server.output();
}

TEST(ProgramReload, SighupWithNothingToReloadKeepsServing) {
  Program server(WEFT_KV_PATH, {"--addr", "tcp://127.0.0.1:0", "--log-level", "warn"});
  auto listening = server.wait_line("listening on ");
  ASSERT_TRUE(listening) << server.output();
  Address address = address_in(*listening);
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_line("weft-kv[" + std::to_string(server.pid()) + "]: SIGHUP: nothing to reload"))
      << server.output();
  LoopbackClient client(address);
  ASSERT_TRUE(client.connected()) << client.connect_error();
  ASSERT_TRUE(client.send_all("PING\r\n").ok());
  std::string pong;
  ASSERT_TRUE(client.read_exact(pong, 7).ok());
  EXPECT_EQ(pong, "+PONG\r\n");
}

}  // namespace
}  // namespace weft::test
