#pragma once
// ExchangeState: what a connection needs only while a request is on it: the parser (with
// the Request it describes), the Response, and storage for a joined head or body. Both
// sessions borrow one from their loop's ExchangePool when a request's first byte is about
// to be parsed, and give it back once the exchange is complete and no input is left
// (a pipelined request already buffered keeps it), so an idle keep-alive connection holds
// only its small session.
//
// A loan always starts with a fresh parser. That is the state llhttp is in between two
// keep-alive requests as well (after a message, llhttp starts the next one from its start
// state; a message that closes the connection is never followed by a loan), so the
// results stay the same however requests and idle periods alternate.
//
// The pool keeps up to a bound of returned states for reuse (their vectors and strings
// keep their capacity, so a busy loop does not allocate per request) and frees the rest,
// so a burst of concurrent requests does not pin its memory. Loop thread only.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/request_parser.h"
#include "http/route.h"
#include "weft/http/options.h"
#include "weft/http/response.h"

namespace weft::http::detail {

struct ExchangeState {
  explicit ExchangeState(const Limits& limits) : parser(limits) {}

  RequestParser parser;
  Response response;
  const Route* route = nullptr;
  int route_status = 0;         // 404 or 405 when no route matched.
  std::string head_store;       // A head copied or joined aside.
  std::string body_store;       // A joined or dechunked body.
  std::string allow;            // The Allow value of a 405.
  std::function<void()> drain;  // A handler's on_drain callback.
  // The coroutine session's: the output's blocks handed to its Stream, input read past
  // the current request (kept aside), and a streamed body's piece for read_body().
  std::vector<std::string_view> parts;
  std::string carry;
  std::string piece;
};

class ExchangePool {
 public:
  // Keeps at most `keep` returned states for reuse.
  explicit ExchangePool(const Limits& limits, size_t keep = kDefaultKeep) : limits_(limits), keep_(keep) {}
  ExchangePool(const ExchangePool&) = delete;
  ExchangePool& operator=(const ExchangePool&) = delete;

  static constexpr size_t kDefaultKeep = 256;

  // A state with a fresh parser, an empty body store, no route and no drain callback.
  ExchangeState* acquire();
  // Takes a state back (null is ignored). Its response must be detached or reset before
  // its next use; its parser is reset here.
  void release(ExchangeState* state);

  // States lent and not returned, and states kept for reuse.
  size_t lent() const { return lent_; }
  size_t kept() const { return free_.size(); }

 private:
  Limits limits_;
  size_t keep_;
  size_t lent_ = 0;
  std::vector<std::unique_ptr<ExchangeState>> free_;
};

}  // namespace weft::http::detail
