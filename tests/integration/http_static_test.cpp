// StaticFiles over real sockets and with curl: content types, 304 from ETag and
// Last-Modified, single ranges (206, 416, If-Range), directories (redirect, index,
// listing), large files through sendfile, and every way out of the root refused: "..",
// encoded slashes and dots, NUL, symbolic links that lead out.

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "command.h"
#include "http_support.h"
#include "weft/http/router.h"
#include "weft/http/static_files.h"

namespace weft::test {
namespace {

namespace fs = std::filesystem;

// A temporary site: www/ (the root) and, beside it, secret.txt, which must stay unreachable.
class Site {
 public:
  Site() {
    char tmpl[] = "/tmp/weft-static-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    root_ = base_ / "www";
    fs::create_directories(root_ / "docs" / "empty");
    write("index.html", "<h1>home</h1>\n");
    write("style.CSS", "body{}\n");
    write("data.bin", std::string(1000, 'd'));
    write("docs/index.html", "docs index\n");
    write("docs/notes.txt", "0123456789");
    write("docs/empty/a b.txt", "spaced");
    std::string big(3 * 1024 * 1024 + 17, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7) % 26);
    write("big.txt", big);
    big_ = big;
    std::ofstream(base_ / "secret.txt") << "top secret";
    fs::create_symlink(base_ / "secret.txt", root_ / "escape.txt");
    fs::create_symlink("docs/notes.txt", root_ / "inside.txt");
    fs::create_symlink(base_, root_ / "up");
  }
  ~Site() { fs::remove_all(base_); }
  std::string root() const { return root_.string(); }
  const std::string& big() const { return big_; }

 private:
  void write(const std::string& name, const std::string& content) { std::ofstream(root_ / name) << content; }
  fs::path base_;
  fs::path root_;
  std::string big_;
};

class StaticFilesTest : public ::testing::Test {
 protected:
  StaticFilesTest() : files_(site_.root()) {
    http::StaticFiles::Options listing;
    listing.list_directories = true;
    listing.index_file = "";
    listing.cache_control = "max-age=60";
    listing_ = std::make_unique<http::StaticFiles>(site_.root(), listing);
    router_.get("/files/*path", files_);
    router_.get("/list/*path", *listing_);
    server_ = std::make_unique<HttpFixture>(router_);
  }

  std::optional<HttpReply> get(const std::string& target, const std::string& headers = {}, bool head = false) {
    return fetch(server_->address(),
                 std::string(head ? "HEAD " : "GET ") + target + " HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n", head);
  }

  Site site_;
  http::StaticFiles files_;
  std::unique_ptr<http::StaticFiles> listing_;
  http::Router router_;
  std::unique_ptr<HttpFixture> server_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndValidators) {
  auto r = get("/files/style.CSS");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "body{}\n");
  EXPECT_EQ(r->header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(r->header("Accept-Ranges"), "bytes");
  EXPECT_EQ(r->header("Last-Modified").size(), 29u);
  EXPECT_EQ(r->header("ETag").front(), '"');
  EXPECT_EQ(get("/files/data.bin")->header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(get("/files/inside.txt")->body, "0123456789");  // A link that stays inside.
  auto head = get("/files/big.txt", {}, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("Content-Length"), std::to_string(site_.big().size()));
  EXPECT_EQ(head->body, "");
  auto big = get("/files/big.txt");
  ASSERT_TRUE(big);
  EXPECT_TRUE(big->body == site_.big());
  EXPECT_EQ(get("/files/docs/empty/a%20b.txt")->body, "spaced");
}

TEST_F(StaticFilesTest, Answers304ToCurrentValidators) {
  auto first = get("/files/index.html");
  ASSERT_TRUE(first);
  const std::string etag = first->header("ETag");
  const std::string modified = first->header("Last-Modified");
  auto by_tag = get("/files/index.html", "If-None-Match: \"nope\", " + etag + "\r\n");
  ASSERT_TRUE(by_tag);
  EXPECT_EQ(by_tag->status, 304);
  EXPECT_EQ(by_tag->header("ETag"), etag);
  EXPECT_FALSE(by_tag->has_header("Content-Length"));
  EXPECT_EQ(get("/files/index.html", "If-None-Match: W/" + etag + "\r\n")->status, 304);
  EXPECT_EQ(get("/files/index.html", "If-None-Match: \"other\"\r\n")->status, 200);
  EXPECT_EQ(get("/files/index.html", "If-Modified-Since: " + modified + "\r\n")->status, 304);
  EXPECT_EQ(get("/files/index.html", "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT\r\n")->status, 200);
  // If-None-Match wins over If-Modified-Since.
  EXPECT_EQ(get("/files/index.html", "If-None-Match: \"other\"\r\nIf-Modified-Since: " + modified + "\r\n")->status,
            200);
}

TEST_F(StaticFilesTest, ServesSingleRanges) {
  auto r = get("/files/docs/notes.txt", "Range: bytes=2-5\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, "2345");
  EXPECT_EQ(r->header("Content-Range"), "bytes 2-5/10");
  EXPECT_EQ(get("/files/docs/notes.txt", "Range: bytes=7-\r\n")->body, "789");
  EXPECT_EQ(get("/files/docs/notes.txt", "Range: bytes=-3\r\n")->body, "789");
  EXPECT_EQ(get("/files/docs/notes.txt", "Range: bytes=5-100\r\n")->body, "56789");
  auto bad = get("/files/docs/notes.txt", "Range: bytes=10-\r\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 416);
  EXPECT_EQ(bad->header("Content-Range"), "bytes */10");
  // Several ranges, other units and malformed ranges get the whole file.
  EXPECT_EQ(get("/files/docs/notes.txt", "Range: bytes=0-1,4-5\r\n")->status, 200);
  EXPECT_EQ(get("/files/docs/notes.txt", "Range: pages=1\r\n")->status, 200);
  EXPECT_EQ(get("/files/docs/notes.txt", "Range: bytes=5-2\r\n")->status, 200);
  // If-Range with a stale validator: the whole file.
  const std::string etag = get("/files/docs/notes.txt")->header("ETag");
  EXPECT_EQ(get("/files/docs/notes.txt", "Range: bytes=2-5\r\nIf-Range: " + etag + "\r\n")->status, 206);
  EXPECT_EQ(get("/files/docs/notes.txt", "Range: bytes=2-5\r\nIf-Range: \"stale\"\r\n")->status, 200);
  // A range of a large file goes through sendfile like the rest.
  auto tail = get("/files/big.txt", "Range: bytes=-100000\r\n");
  ASSERT_TRUE(tail);
  EXPECT_TRUE(tail->body == site_.big().substr(site_.big().size() - 100000));
}

TEST_F(StaticFilesTest, HandlesDirectories) {
  auto redirect = get("/files/docs?x=1");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 301);
  EXPECT_EQ(redirect->header("Location"), "/files/docs/?x=1");
  EXPECT_EQ(get("/files/docs/")->body, "docs index\n");
  EXPECT_EQ(get("/files/docs/")->header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(get("/files/docs/empty/")->status, 403);  // No index, no listing.
  auto listing = get("/list/docs/");
  ASSERT_TRUE(listing);
  EXPECT_EQ(listing->status, 200);
  EXPECT_NE(listing->body.find("<a href=\"notes.txt\">notes.txt</a>"), std::string::npos) << listing->body;
  EXPECT_NE(listing->body.find("<a href=\"empty/\">empty/</a>"), std::string::npos);
  EXPECT_EQ(listing->header("Cache-Control"), "");  // Listings are not files.
  EXPECT_EQ(get("/list/docs/notes.txt")->header("Cache-Control"), "max-age=60");
}

TEST_F(StaticFilesTest, NeverLeavesTheRoot) {
  struct Case {
    std::string target;
    int status;
  };
  const std::vector<Case> cases = {
      {"/files/../secret.txt", 400},  // (a client would remove it; sent raw here)
      {"/files/docs/../../secret.txt", 400},
      {"/files/%2e%2e/secret.txt", 400},
      {"/files/docs/%2E%2E/%2e%2e/secret.txt", 400},
      {"/files/..%2fsecret.txt", 400},
      {"/files/docs%2Fnotes.txt", 400},
      {"/files/docs/notes.txt%00.html", 400},
      {"/files/%zz", 400},
      {"/files//etc/passwd", 400},
      {"/files/./index.html", 400},
      {"/files/escape.txt", 404},     // A symbolic link to a file outside.
      {"/files/up/secret.txt", 404},  // A symbolic link to a directory outside.
      {"/files/missing.txt", 404},
  };
  for (const Case& c : cases) {
    auto r = get(c.target);
    ASSERT_TRUE(r) << c.target;
    EXPECT_EQ(r->status, c.status) << c.target;
    EXPECT_EQ(r->body.find("top secret"), std::string::npos) << c.target;
  }
  EXPECT_EQ(get("/files/index.html", "", false)->status, 200);
  auto post = fetch(server_->address(), "DELETE /files/index.html HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

TEST_F(StaticFilesTest, WorksWithCurl) {
  ASSERT_TRUE(have_program("curl"));
  const std::string base = "http://127.0.0.1:" + std::to_string(server_->address().port());
  CommandResult range = run_command({"curl", "-sS", "--max-time", "10", "-r", "3-6", base + "/files/docs/notes.txt"});
  ASSERT_EQ(range.exit_code, 0) << range.describe();
  EXPECT_EQ(range.out, "3456");
  CommandResult head = run_command({"curl", "-sS", "-I", "--max-time", "10", base + "/files/big.txt"});
  ASSERT_EQ(head.exit_code, 0) << head.describe();
  EXPECT_NE(head.out.find("Content-Length: " + std::to_string(site_.big().size()) + "\r\n"), std::string::npos);
  CommandResult whole = run_command({"curl", "-sS", "--max-time", "10", base + "/files/big.txt"});
  ASSERT_EQ(whole.exit_code, 0) << whole.describe();
  EXPECT_TRUE(whole.out == site_.big());
  // curl normalizes "..": the request it sends stays inside and finds nothing.
  CommandResult dots = run_command({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                                    "--path-as-is", base + "/files/../secret.txt"});
  EXPECT_EQ(dots.out, "400");
}

}  // namespace
}  // namespace weft::test
