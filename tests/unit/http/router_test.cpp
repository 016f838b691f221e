// Router: literal before parameter before wildcard, parameters, 404/405 with Allow, HEAD
// falling back to GET, bad patterns refused at registration.
#include "weft/http/router.h"

#include <gtest/gtest.h>

#include <string>

#include "http/request_access.h"
#include "http/request_parser.h"
#include "http/route.h"

namespace weft::http {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  // Parses "METHOD target" into a request and matches it; returns the handler's tag
  // ("404", "405 <allow>" when nothing matches).
  std::string match(const std::string& method, const std::string& target) {
    text_ = method + " " + target + " HTTP/1.1\r\nHost: a\r\n\r\n";
    parser_ = std::make_unique<detail::RequestParser>(Limits{});
    auto step = parser_->feed(text_);
    EXPECT_EQ(step.event, detail::RequestParser::Event::head);
    Request& req = parser_->request();
    detail::RequestAccess::set_head(req, text_.data(), {});
    int status = 0;
    std::string allow;
    const detail::Route* route = router_.match(req, false, &status, &allow);
    if (route == nullptr) return status == 405 ? "405 " + allow : std::to_string(status);
    Response res;
    tag_.clear();
    route->handler(req, res);
    return tag_;
  }

  // A handler that records its name and the request's parameters.
  Handler tagged(std::string name, std::vector<std::string> params = {}) {
    return [this, name, params](Request& req, Response&) {
      tag_ = name;
      for (const std::string& p : params) tag_ += " " + p + "=" + std::string(req.param(p));
    };
  }

  Router router_;
  std::string tag_;
  std::string text_;
  std::unique_ptr<detail::RequestParser> parser_;
};

TEST_F(RouterTest, PrefersLiteralsThenParametersThenWildcards) {
  router_.get("/users/:id", tagged("user", {"id"}))
      .get("/users/me", tagged("me"))
      .get("/users/:id/posts/:post", tagged("post", {"id", "post"}))
      .get("/files/*path", tagged("files", {"path"}))
      .get("/files/special", tagged("special"))
      .get("/", tagged("root"));
  EXPECT_EQ(match("GET", "/users/42"), "user id=42");
  EXPECT_EQ(match("GET", "/users/me"), "me");
  EXPECT_EQ(match("GET", "/users/7/posts/9?x=1"), "post id=7 post=9");
  EXPECT_EQ(match("GET", "/files/a/b/c.txt"), "files path=a/b/c.txt");
  EXPECT_EQ(match("GET", "/files/"), "files path=");
  EXPECT_EQ(match("GET", "/files/special"), "special");
  EXPECT_EQ(match("GET", "/"), "root");
  EXPECT_EQ(match("GET", "/users"), "404");
  EXPECT_EQ(match("GET", "/users/"), "404");  // A parameter is never empty.
  EXPECT_EQ(match("GET", "/users/42/"), "404");
  EXPECT_EQ(match("GET", "/files"), "404");
  EXPECT_EQ(match("GET", "http://h/users/5"), "user id=5");
}

TEST_F(RouterTest, BacktracksWhenALiteralBranchDeadEnds) {
  router_.get("/a/b/c", tagged("abc")).get("/a/:x/d", tagged("axd", {"x"}));
  EXPECT_EQ(match("GET", "/a/b/d"), "axd x=b");
  EXPECT_EQ(match("GET", "/a/b/c"), "abc");
}

TEST_F(RouterTest, Reports405WithAllowAndFallsBackFromHeadToGet) {
  router_.get("/r", tagged("get")).post("/r", tagged("post")).any("/any", tagged("any"));
  router_.put("/p/:id", tagged("put"));
  EXPECT_EQ(match("HEAD", "/r"), "get");
  EXPECT_EQ(match("DELETE", "/r"), "405 GET, HEAD, POST");
  EXPECT_EQ(match("GET", "/p/1"), "405 PUT");
  EXPECT_EQ(match("PATCH", "/any"), "any");
  EXPECT_EQ(match("OPTIONS", "*"), "404");
}

TEST_F(RouterTest, RefusesBadPatternsAndDuplicates) {
  router_.get("/x/:id", tagged("x"));
  EXPECT_THROW(router_.get("/x/:id", tagged("again")), std::invalid_argument);
  EXPECT_THROW(router_.get("/x/:other/y", tagged("renamed")), std::invalid_argument);
  EXPECT_THROW(router_.get("no-slash", tagged("bad")), std::invalid_argument);
  EXPECT_THROW(router_.get("/*rest/more", tagged("bad")), std::invalid_argument);
  EXPECT_THROW(router_.get("/:", tagged("bad")), std::invalid_argument);
  EXPECT_NO_THROW(router_.post("/x/:id", tagged("post")));
  EXPECT_FALSE(router_.has_coroutines());
}

}  // namespace
}  // namespace weft::http
