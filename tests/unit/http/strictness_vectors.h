#pragma once
// The requests weft must reject, with the status each gets. The parser test feeds each one
// every way it can be cut (tests/unit/http/request_parser_test.cpp); the server test sends
// each over a socket and checks the exact response and the close
// (tests/integration/http_strictness_test.cpp).

#include <string>
#include <string_view>
#include <vector>

namespace weft::http::testing {

struct Rejection {
  const char* name;
  std::string input;
  int status;
};

inline std::string get(std::string_view target, std::string_view fields = "Host: a\r\n") {
  return "GET " + std::string(target) + " HTTP/1.1\r\n" + std::string(fields) + "\r\n";
}

inline std::string post(std::string_view fields, std::string_view body) {
  return "POST /p HTTP/1.1\r\nHost: a\r\n" + std::string(fields) + "\r\n" + std::string(body);
}

inline std::vector<Rejection> rejections() {
  return {
      {"Content-Length with Transfer-Encoding",
       post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400},
      {"Transfer-Encoding with Content-Length",
       post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"), 400},
      {"duplicate Content-Length", post("Content-Length: 3\r\nContent-Length: 3\r\n", "abc"), 400},
      {"Content-Length list", post("Content-Length: 3, 3\r\n", "abc"), 400},
      {"space before colon", get("/", "Host: a\r\nContent-Length : 0\r\n"), 400},
      {"tab before colon", get("/", "Host: a\r\nX\t: 0\r\n"), 400},
      {"obs-fold", get("/", "Host: a\r\nX: a\r\n b\r\n"), 400},
      {"obs-fold with a tab", get("/", "Host: a\r\nX: a\r\n\tb\r\n"), 400},
      {"bare CR in a value", get("/", "Host: a\r\nX: a\rb\r\n"), 400},
      {"bare LF ends a field", get("/", "Host: a\nX: b\r\n"), 400},
      {"bare LF ends the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400},
      {"bare LF ends the head", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400},
      {"bare LFs only", "GET / HTTP/1.1\nHost: a\n\n", 400},
      {"chunked not last", post("Transfer-Encoding: chunked, gzip\r\n", ""), 400},
      {"chunked twice in one field", post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), 400},
      {"chunked in two fields", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400},
      {"unknown coding alone", post("Transfer-Encoding: gzip\r\n", ""), 501},
      {"identity coding", post("Transfer-Encoding: identity\r\n", ""), 501},
      {"unknown coding before chunked", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 501},
      {"Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
      {"malformed Content-Length", post("Content-Length: 3x\r\n", "abc"), 400},
      {"negative Content-Length", post("Content-Length: -3\r\n", "abc"), 400},
      {"signed Content-Length", post("Content-Length: +3\r\n", "abc"), 400},
      {"empty Content-Length", post("Content-Length: \r\n", ""), 400},
      {"Content-Length with a space inside", post("Content-Length: 1 2\r\n", ""), 400},
      {"Content-Length overflow", post("Content-Length: 99999999999999999999999\r\n", ""), 400},
      {"malformed chunk size", post("Transfer-Encoding: chunked\r\n", "zz\r\n"), 400},
      {"chunk size with a space", post("Transfer-Encoding: chunked\r\n", "3 \r\nabc\r\n0\r\n\r\n"), 400},
      {"chunk size with a bare LF", post("Transfer-Encoding: chunked\r\n", "3\nabc\r\n0\r\n\r\n"), 400},
      {"chunk data too long", post("Transfer-Encoding: chunked\r\n", "3\r\nabcd\r\n0\r\n\r\n"), 400},
      {"chunk size overflow", post("Transfer-Encoding: chunked\r\n", "fffffffffffffffff\r\n"), 400},
      {"bare LF after the last chunk", post("Transfer-Encoding: chunked\r\n", "0\n\r\n"), 400},
      {"bare LF ends the trailers", post("Transfer-Encoding: chunked\r\n", "0\r\n\n"), 400},
      {"bare LF ends a trailer", post("Transfer-Encoding: chunked\r\n", "0\r\nT: v\n\r\n"), 400},
      {"obs-fold in a trailer", post("Transfer-Encoding: chunked\r\n", "0\r\nT: v\r\n w\r\n\r\n"), 400},
      {"bare LF after chunk data", post("Transfer-Encoding: chunked\r\n", "1\r\na\n0\r\n\r\n"), 400},
      {"control character in a name", get("/", "Host: a\r\nX\x01Y: a\r\n"), 400},
      {"NUL in a name", get("/", std::string("Host: a\r\nX\0Y: a\r\n", 18)), 400},
      {"control character in a value", get("/", "Host: a\r\nX: a\x01b\r\n"), 400},
      {"DEL in a value", get("/", "Host: a\r\nX: a\x7f\r\n"), 400},
      {"NUL in a value", get("/", std::string("Host: a\r\nX: a\0b\r\n", 17)), 400},
      {"empty name", get("/", "Host: a\r\n: a\r\n"), 400},
      {"separator in a name", get("/", "Host: a\r\nX@Y: a\r\n"), 400},
      {"space in a name", get("/", "Host: a\r\nX Y: a\r\n"), 400},
      {"control character in the target", get("/a\x01"), 400},
      {"space in the target", get("/a b"), 400},
      {"fragment in the target", get("/a#b"), 400},
      {"two spaces after the method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"two spaces before the version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"lower-case method", "get / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"unknown method", "FETCH / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"lower-case protocol", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
      {"no version", "GET /\r\n\r\n", 400},
      {"asterisk without OPTIONS", get("*"), 400},
      {"missing Host", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two Host fields", get("/", "Host: a\r\nHost: b\r\n"), 400},
      {"Host with a slash", get("/", "Host: a/b\r\n"), 400},
      {"Host with a space", get("/", "Host: a b\r\n"), 400},
      {"unsupported expectation", post("Expect: 200-ok\r\nContent-Length: 1\r\n", "z"), 417},
      {"nothing after an error", get("/", "Host: a\r\nX\x01: a\r\n") + get("/"), 400},
      {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {"HTTP/0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505},
      {"HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505},
      {"HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505},
      {"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
  };
}

}  // namespace weft::http::testing
