#pragma once
// Router: maps a method and a path to a handler.
//
//   http::Router router;
//   router.get("/", hello)
//         .get("/users/:id", show_user)             // req.param("id")
//         .post("/users/:id/avatar", upload, {.stream_body = true})
//         .get("/files/*path", serve_file)          // req.param("path"): the rest, "" included
//         .any("/echo", echo);                      // every method
//
// Patterns are split at '/'. A segment is literal, a parameter (":name", one non-empty
// segment) or, last only, a wildcard ("*name", the rest of the path). A literal segment
// wins over a parameter, which wins over a wildcard, whatever the order of registration;
// the same pattern and method twice is an error. Paths are matched as sent (not
// percent-decoded); a trailing slash is significant.
//
// When no pattern matches the path: 404. When patterns match but none for the method:
// 405 with an Allow header listing the methods that would. HEAD is answered by the GET
// handler when there is no HEAD route (the body is left out). An Upgrade request reaches
// only an upgrade route (ws::route); elsewhere its Upgrade header is ignored.
//
// Handlers are callbacks, void(Request&, Response&), or coroutines,
// Task<>(Request&, Response&); a coroutine route needs http::CoroServer, which serves both
// kinds. Set the router up before the server starts and do not change it afterwards: the
// loops read it without locks. It must outlive every server that uses it.

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "weft/coro/task.h"
#include "weft/http/method.h"
#include "weft/http/request.h"
#include "weft/http/response.h"

namespace weft::http {

using Handler = std::function<void(Request&, Response&)>;
using CoroHandler = std::function<Task<>(Request&, Response&)>;

struct RouteOptions {
  // Call the handler as soon as the head has arrived and hand it the body piece by piece
  // (Request::on_body, or co_await Request::read_body()) instead of collecting it first.
  bool stream_body = false;
};

namespace detail {
class UpgradeHandler;
struct Route;
class RouteTree;
}  // namespace detail

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers handler for method and pattern. F is a callback or a coroutine (see above).
  // Throws std::invalid_argument for a malformed pattern or a duplicate route.
  template <class F>
  Router& add(Method method, std::string_view pattern, F&& handler, RouteOptions options = {}) {
    if constexpr (std::is_same_v<std::invoke_result_t<F&, Request&, Response&>, Task<>>) {
      return add_coro(method, pattern, CoroHandler(std::forward<F>(handler)), options);
    } else {
      return add_callback(method, pattern, Handler(std::forward<F>(handler)), options);
    }
  }
  template <class F>
  Router& get(std::string_view p, F&& h, RouteOptions o = {}) {
    return add(Method::get, p, std::forward<F>(h), o);
  }
  template <class F>
  Router& post(std::string_view p, F&& h, RouteOptions o = {}) {
    return add(Method::post, p, std::forward<F>(h), o);
  }
  template <class F>
  Router& put(std::string_view p, F&& h, RouteOptions o = {}) {
    return add(Method::put, p, std::forward<F>(h), o);
  }
  template <class F>
  Router& patch(std::string_view p, F&& h, RouteOptions o = {}) {
    return add(Method::patch, p, std::forward<F>(h), o);
  }
  template <class F>
  Router& del(std::string_view p, F&& h, RouteOptions o = {}) {
    return add(Method::delete_, p, std::forward<F>(h), o);
  }
  template <class F>
  Router& head(std::string_view p, F&& h, RouteOptions o = {}) {
    return add(Method::head, p, std::forward<F>(h), o);
  }
  template <class F>
  Router& options(std::string_view p, F&& h, RouteOptions o = {}) {
    return add(Method::options, p, std::forward<F>(h), o);
  }
  // Every method on pattern (a method with its own route on the same pattern wins).
  template <class F>
  Router& any(std::string_view p, F&& h, RouteOptions o = {}) {
    return add(Method::other, p, std::forward<F>(h), o);
  }

  // Machinery for protocols that take the connection over (ws::route): a GET route that
  // only an Upgrade request reaches.
  Router& add_upgrade(std::string_view pattern, std::shared_ptr<detail::UpgradeHandler> handler);

  // Whether any route is a coroutine (http::Server refuses such a router), and whether any
  // upgrade route is for the callback API (http::CoroServer refuses those).
  bool has_coroutines() const;
  bool has_callback_upgrades() const;

  // Machinery for the servers: finds the route for method and path and fills the
  // request's parameters. Null when there is none; *status is then 404 or 405 (allow
  // gets the Allow value for 405).
  const detail::Route* match(Request& request, bool upgrade, int* status, std::string* allow) const;

 private:
  Router& add_callback(Method method, std::string_view pattern, Handler handler, RouteOptions options);
  Router& add_coro(Method method, std::string_view pattern, CoroHandler handler, RouteOptions options);

  std::unique_ptr<detail::RouteTree> tree_;
};

}  // namespace weft::http
