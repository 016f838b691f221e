// Request::remote_address, apart from request.cpp so that the parser (and its fuzzer)
// does not pull in the engine.
#include "weft/coro/stream.h"
#include "weft/http/request.h"
#include "weft/net/conn.h"

namespace weft::http {

Address Request::remote_address() const {
  if (conn_ != nullptr) return conn_->remote_address();
  if (stream_ != nullptr) return stream_->remote_address();
  return {};
}

}  // namespace weft::http
