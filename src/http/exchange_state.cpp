#include "http/exchange_state.h"

#include "http/exchange.h"

namespace weft::http::detail {
namespace {

// A body or head store above this goes back to the system with its loan, so a large
// upload does not stay pinned in the pool.
constexpr size_t kMaxKeptStore = 16 * 1024;

void trim(std::string& s) {
  if (s.capacity() > kMaxKeptStore) {
    std::string().swap(s);
  } else {
    s.clear();
  }
}

}  // namespace

ExchangeState* ExchangePool::acquire() {
  ++lent_;
  if (free_.empty()) return new ExchangeState(limits_);
  ExchangeState* s = free_.back().release();
  free_.pop_back();
  return s;
}

void ExchangePool::release(ExchangeState* state) {
  if (state == nullptr) return;
  --lent_;
  std::unique_ptr<ExchangeState> s(state);
  if (free_.size() >= keep_) return;  // Freed.
  s->parser.reset();
  ResponseAccess::detach(s->response);
  s->route = nullptr;
  s->route_status = 0;
  s->drain = nullptr;
  trim(s->head_store);
  trim(s->body_store);
  s->allow.clear();
  s->parts.clear();
  trim(s->carry);
  trim(s->piece);
  free_.push_back(std::move(s));
}

}  // namespace weft::http::detail
