#pragma once
// A connection in miniature for the request parser, shared by the parser tests and the
// http_request fuzzer. It feeds an input in the pieces given and records what a server
// would see, one line per event: each complete request (method, target, path, query,
// version, keep-alive, fields, body, trailers) or the error that ended the stream. Like the
// server, it stops after an error, after a request that does not keep the connection
// alive, and after an upgrade.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/request_access.h"
#include "http/request_parser.h"

namespace weft::http::testing {

struct ParseOutcome {
  std::vector<std::string> events;
  int error = 0;  // The status of the error that ended the stream, or 0.
  bool operator==(const ParseOutcome& other) const = default;
};

class ParserDriver final : private detail::BodySink {
 public:
  explicit ParserDriver(const Limits& limits = {}) : parser_(limits) {}

  // Feeds the input cut before each offset in cuts (ascending, within the input).
  ParseOutcome run(std::string_view input, const std::vector<size_t>& cuts) {
    size_t from = 0;
    for (size_t i = 0; i <= cuts.size() && !done_; ++i) {
      const size_t to = i < cuts.size() ? cuts[i] : input.size();
      if (to > from) offer(input.substr(from, to - from));
      from = to;
    }
    return outcome_;
  }

 private:
  void on_body_bytes(std::string_view piece) override { body_.append(piece); }

  void offer(std::string_view chunk) {
    stream_.append(chunk);
    while (!done_) {
      const detail::RequestParser::Step step = parser_.feed(chunk);
      chunk.remove_prefix(step.used);
      switch (step.event) {
        case detail::RequestParser::Event::need_more: return;
        case detail::RequestParser::Event::head:
          body_.clear();
          parser_.set_body_sink(this);
          break;
        case detail::RequestParser::Event::message_end:
          record_request();
          message_start_ = stream_.size() - chunk.size();
          break;
        case detail::RequestParser::Event::error:
          outcome_.events.push_back("error " + std::to_string(parser_.error_status()));
          outcome_.error = parser_.error_status();
          done_ = true;
          break;
      }
    }
  }

  void record_request() {
    Request& r = parser_.request();
    // The driver keeps every byte, so the head is contiguous at the message's start.
    detail::RequestAccess::set_head(r, stream_.data() + message_start_, body_);
    std::string line = std::string(r.method_name()) + " " + std::string(r.target()) + " HTTP/1." +
                       std::to_string(r.version_minor()) + " path=" + std::string(r.path()) +
                       " query=" + std::string(r.query()) + (r.keep_alive() ? " keep-alive" : " close");
    for (HeaderField f : r.headers()) line += " | " + std::string(f.name) + ": " + std::string(f.value);
    if (r.chunked()) line += " | chunked";
    if (r.content_length()) line += " | length " + std::to_string(*r.content_length());
    line += " | body=" + std::string(r.body());
    for (size_t i = 0; i < r.trailer_count(); ++i) {
      HeaderField f = r.trailer_at(i);
      line += " | trailer " + std::string(f.name) + ": " + std::string(f.value);
    }
    outcome_.events.push_back(line);
    if (!r.keep_alive() || r.upgrade()) done_ = true;
  }

  detail::RequestParser parser_;
  std::string stream_;
  size_t message_start_ = 0;
  std::string body_;
  ParseOutcome outcome_;
  bool done_ = false;
};

// Every way of cutting input that the tests use: whole, byte by byte, and two pieces cut
// at every offset.
inline std::vector<std::vector<size_t>> all_cuts(size_t size) {
  std::vector<std::vector<size_t>> cuts;
  cuts.push_back({});
  std::vector<size_t> bytewise;
  for (size_t i = 1; i < size; ++i) bytewise.push_back(i);
  cuts.push_back(bytewise);
  for (size_t i = 1; i < size; ++i) cuts.push_back({i});
  return cuts;
}

}  // namespace weft::http::testing
