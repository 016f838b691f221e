// The dashboard in a real browser: headless Chromium loads /dashboard while weft-load
// keeps an echo server busy, and tests/clients/metrics_browser.py checks from the page's
// DOM that it shows what /stats says within one refresh. The screenshot it takes is left
// at build/metrics-dashboard.png for people to look at.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "command.h"
#include "http_support.h"
#include "metrics_client.h"
#include "program.h"
#include "server_fixture.h"
#include "weft/metrics/admin.h"

namespace weft {
namespace {

using namespace std::chrono_literals;

class Echo final : public Handler {
 public:
  void on_traffic(Conn& conn) override { conn.write(conn.read()); }
};

TEST(MetricsBrowser, DashboardShowsWhatStatsSaysUnderLoad) {
  if (!test::have_program("chromium")) {
    GTEST_SKIP() << "chromium is not installed (Debian package chromium; make test-deps installs it)";
  }
  if (!test::have_program("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  Echo handler;
  ServerOptions options;
  options.loops = 2;
  test::ServerFixture echo(handler, options);
  metrics::Registry registry;
  registry.watch(echo.server(), "echo");
  metrics::Admin admin(registry, {250ms, 5});
  admin.listen("tcp://127.0.0.1:0").start();

  constexpr int kConns = 4;
  test::Program load(WEFT_LOAD_PATH,
                     {"--addr", echo.address().to_string(), "--conns", std::to_string(kConns), "--warmup", "0",
                      "--duration", "120", "--rate", "5000", "--response-timeout", "30"});
  ASSERT_TRUE(test::eventually([&] { return echo.server().connection_count() == kConns; })) << load.output();

  const std::string screenshot = std::string(WEFT_BINARY_DIR) + "/metrics-dashboard.png";
  ::unlink(screenshot.c_str());
  test::CommandResult r =
      test::run_command({"/usr/bin/python3", std::string(WEFT_TEST_CLIENTS) + "/metrics_browser.py", "chromium",
                         test::host_port(admin.address()), screenshot, std::to_string(kConns)},
                        {}, 90s);
  ASSERT_EQ(r.exit_code, 0) << r.describe() << r.out << "weft-load:\n" << load.output();
  EXPECT_NE(r.out.find("\nok\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("page updates="), std::string::npos) << r.out;

  std::ifstream png(screenshot, std::ios::binary);
  std::string head(8, '\0');
  ASSERT_TRUE(png.read(head.data(), 8)) << "no screenshot at " << screenshot;
  EXPECT_EQ(head, "\x89PNG\r\n\x1a\n");
  struct stat st {};
  ASSERT_EQ(::stat(screenshot.c_str(), &st), 0);
  EXPECT_GT(st.st_size, 10000);  // A page with charts and tables, not a blank one.
}

}  // namespace
}  // namespace weft
