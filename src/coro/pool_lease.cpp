#include "weft/coro/pool_lease.h"

#include <mutex>
#include <utility>

#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/net/conn.h"

namespace weft::detail {

// --- LeaseState ----------------------------------------------------------------------

void LeaseState::acquired(const std::shared_ptr<LeaseState>& self, Conn* c, std::error_code error) {
  bool taken = false;
  {
    std::lock_guard lock(self->core.mutex);
    ChannelWaiter* w = self->let_go ? nullptr : self->core.receivers.pop();
    if (w != nullptr) {
      taken = c != nullptr;
      if (taken) self->conn = c;  // c is only ever given on the pool's loop.
      w->ec = taken ? kNoError : error;
      w->wake();
    }
  }
  if (c == nullptr) return;
  if (taken) {
    PoolAccess::set_sink(self->pool, *c, self);
  } else {
    self->pool.release(*c);  // The coroutine left meanwhile: the next caller has it.
  }
}

void LeaseState::give_back(const std::shared_ptr<LeaseState>& self, bool close) {
  {
    std::lock_guard lock(self->core.mutex);
    if (self->let_go) return;
    self->let_go = true;
    close = close || self->dirty || !self->inbox.empty() || !self->core.senders.empty();
    if (!self->failed) self->failed = make_error_code(Errc::closed);
  }
  // A write posted before this runs before it: the loop runs tasks in order.
  self->pool.loop().post([self, close] {
    Conn* c = std::exchange(self->conn, nullptr);
    if (c == nullptr) return;  // Closed meanwhile, or never handed over.
    bool answered_late = false;  // Input that came after the coroutine let go.
    {
      std::lock_guard lock(self->core.mutex);
      answered_late = !self->inbox.empty();
    }
    if (close || answered_late) {
      self->pool.discard(*c);
    } else {
      self->pool.release(*c);
    }
  });
}

void LeaseState::on_traffic(Conn& c) {
  std::string_view got = c.read();
  std::lock_guard lock(core.mutex);
  inbox.append(got);
  if (ChannelWaiter* r = core.receivers.front(); r != nullptr && static_cast<LeaseReadOp*>(r)->take()) {
    core.receivers.pop();
    r->wake();
  }
  if (inbox.size() > max_inbound) c.close(make_error_code(Errc::inbound_overflow));
}

void LeaseState::on_close(Conn&, std::error_code error) {
  conn = nullptr;
  std::lock_guard lock(core.mutex);
  if (!failed) failed = error;
  while (ChannelWaiter* r = core.receivers.pop()) {
    static_cast<LeaseReadOp*>(r)->take();
    r->wake();
  }
  while (ChannelWaiter* w = core.senders.pop()) {
    w->ec = failed;
    w->wake();
  }
}

// --- PoolAcquireOp -------------------------------------------------------------------

PoolAcquireOp::PoolAcquireOp(PoolAcquire request)
    : PoolAcquireOp(std::make_shared<LeaseState>(*request.pool), request.timeout) {}

PoolAcquireOp::PoolAcquireOp(std::shared_ptr<LeaseState> state, Duration timeout)
    : ChannelWaiter(&state->core), state_(std::move(state)), timeout_(timeout) {}

PoolAcquireOp::PoolAcquireOp(PoolAcquireOp&& other) noexcept
    : ChannelWaiter(std::move(other)), state_(std::move(other.state_)), timeout_(other.timeout_) {}

PoolAcquireOp::~PoolAcquireOp() {
  // Not taken by await_resume: the coroutine was destroyed while it waited, or after the
  // pool had answered. Either way the connection, now or when it comes, goes back.
  if (begun_ && state_) LeaseState::give_back(state_, false);
}

void PoolAcquireOp::begin() {
  {
    std::lock_guard lock(core->mutex);
    enqueue(core->receivers);
  }
  begun_ = true;
  std::shared_ptr<LeaseState> s = state_;
  bool posted = s->pool.loop().post([s, timeout = timeout_] {
    s->pool.acquire([s](Conn* c, std::error_code error) { LeaseState::acquired(s, c, error); }, timeout);
  });
  if (!posted) LeaseState::acquired(s, nullptr, make_error_code(Errc::shutdown));
}

Result<PoolLease> PoolAcquireOp::await_resume() {
  if (ec) return ec;
  begun_ = false;
  return PoolLease(std::move(state_));
}

// --- LeaseReadOp ---------------------------------------------------------------------

LeaseReadOp::LeaseReadOp(std::shared_ptr<LeaseState> state, Mode mode, std::string delimiter, size_t n)
    : ChannelWaiter(state ? &state->core : nullptr),
      state_(std::move(state)),
      mode_(mode),
      delimiter_(std::move(delimiter)),
      n_(n) {}

LeaseReadOp::LeaseReadOp(LeaseReadOp&& other) noexcept
    : ChannelWaiter(std::move(other)),
      state_(std::move(other.state_)),
      mode_(other.mode_),
      delimiter_(std::move(other.delimiter_)),
      n_(other.n_) {}

bool LeaseReadOp::take() {
  std::string& in = state_->inbox;
  size_t n = 0;
  switch (mode_) {
    case Mode::some:
      n = in.size();
      break;
    case Mode::until:
      if (size_t at = delimiter_.empty() ? std::string::npos : in.find(delimiter_); at != std::string::npos) {
        n = at + delimiter_.size();
      }
      break;
    case Mode::exact:
      n = in.size() >= n_ ? n_ : 0;
      break;
  }
  if (n > 0 || (mode_ == Mode::exact && n_ == 0)) {
    if (n == in.size()) {
      value_ = std::move(in);
      in.clear();
    } else {
      value_.assign(in, 0, n);
      in.erase(0, n);
    }
    return true;
  }
  if (state_->failed) {
    ec = state_->failed;
    return true;
  }
  return false;
}

bool LeaseReadOp::await_ready() {
  if (!state_) {
    ec = make_error_code(Errc::closed);
    return true;
  }
  std::lock_guard lock(core->mutex);
  return take();
}

bool LeaseReadOp::wait() {
  std::lock_guard lock(core->mutex);
  if (take()) return false;  // Input came meanwhile.
  enqueue(core->receivers);
  return true;
}

Result<std::string> LeaseReadOp::await_resume() {
  if (ec) {
    if (state_) {
      std::lock_guard lock(core->mutex);
      state_->dirty = true;
    }
    return ec;
  }
  return std::move(value_);
}

// --- LeaseWriteOp --------------------------------------------------------------------

LeaseWriteOp::LeaseWriteOp(std::shared_ptr<LeaseState> state, std::string bytes)
    : ChannelWaiter(state ? &state->core : nullptr), state_(std::move(state)), bytes_(std::move(bytes)) {}

LeaseWriteOp::LeaseWriteOp(LeaseWriteOp&& other) noexcept
    : ChannelWaiter(std::move(other)), state_(std::move(other.state_)), bytes_(std::move(other.bytes_)) {}

bool LeaseWriteOp::await_ready() {
  if (!state_) {
    ec = make_error_code(Errc::closed);
    return true;
  }
  std::lock_guard lock(core->mutex);
  if (!state_->failed) return false;
  ec = state_->failed;
  return true;
}

bool LeaseWriteOp::begin() {
  {
    std::lock_guard lock(core->mutex);
    if (state_->failed) {  // Closed since await_ready.
      ec = state_->failed;
      return false;
    }
    number = ++state_->writes;
    enqueue(core->senders);
  }
  std::shared_ptr<LeaseState> s = state_;
  uint64_t mine = number;
  bool posted = s->pool.loop().post([s, mine, bytes = std::move(bytes_)] {
    std::error_code result = s->conn != nullptr ? s->conn->write(bytes) : make_error_code(Errc::closed);
    std::lock_guard lock(s->core.mutex);
    // Its writer may have left (cancelled): then another write, or none, is first.
    if (ChannelWaiter* w = s->core.senders.front(); w != nullptr && static_cast<LeaseWriteOp*>(w)->number == mine) {
      s->core.senders.pop();
      w->ec = result;
      w->wake();
    }
  });
  if (!posted) {
    std::lock_guard lock(core->mutex);
    if (ChannelWaiter* w = core->senders.front(); w == this) {
      core->senders.pop();
      ec = make_error_code(Errc::shutdown);
      wake();
    }
  }
  return true;
}

std::error_code LeaseWriteOp::await_resume() {
  if (ec && state_) {
    std::lock_guard lock(core->mutex);
    state_->dirty = true;
  }
  return ec;
}

}  // namespace weft::detail
