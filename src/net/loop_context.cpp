#include "net/loop_context.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/socket.h"
#include "transport/plain_transport.h"
#include "weft/core/detail/loop_access.h"
#include "weft/core/log.h"
#include "weft/net/conn.h"

namespace weft::detail {

void ConnList::push_back(Conn& c) {
  c.idle_prev_ = tail;
  c.idle_next_ = nullptr;
  if (tail != nullptr) tail->idle_next_ = &c;
  tail = &c;
  if (head == nullptr) head = &c;
}

bool ConnList::contains(const Conn& c) const { return c.idle_prev_ != nullptr || head == &c; }

void ConnList::remove(Conn& c) {
  if (!contains(c)) return;
  if (c.idle_prev_ != nullptr) c.idle_prev_->idle_next_ = c.idle_next_;
  if (c.idle_next_ != nullptr) c.idle_next_->idle_prev_ = c.idle_prev_;
  if (head == &c) head = c.idle_next_;
  if (tail == &c) tail = c.idle_prev_;
  c.idle_prev_ = c.idle_next_ = nullptr;
}

LoopContext::LoopContext(EventLoop& l, size_t i, Handler& h, const ServerOptions& o, Hooks hooks)
    : loop(l), handler(h), options(o), index(i), table(l), read(LoopAccess(l).read_scratch(), l.pool()), hooks_(std::move(hooks)) {}

LoopContext::~LoopContext() = default;

bool LoopContext::adopt(int fd, const Address& remote, void* context, TransportFactory* factory,
                        std::string_view peer_name) {
  if (shutting_down_) {
    refuse(fd);
    return false;
  }
  if (!remote.is_unix()) {
    if (options.tcp_nodelay) set_nodelay(fd, true);
    if (options.keep_alive) set_keep_alive(fd, true);
  }
  set_buffer_sizes(fd, options.receive_buffer, options.send_buffer);
  Transport* transport = &plain_transport();
  if (factory != nullptr) {
    transport = factory->make_transport(TransportSetup{fd, peer_name, LoopAccess(loop).edge_triggered()});
    if (transport == nullptr) {  // The factory has logged why.
      refuse(fd);
      return false;
    }
  }
  uint32_t slot = 0;
  uint32_t generation = 0;
  void* storage = table.reserve(slot, generation);
  Conn* conn = new (storage) Conn(*this, fd, slot, remote, *transport);
  conn->set_context(context);
  if (std::error_code ec = conn->open(); ec) {
    // The poller refused the fd (epoll_ctl ENOMEM/ENOSPC under a flood): the connection
    // never opened, so the handler hears nothing of it.
    ++registration_failures;
    if (!registration_failure_logged_) {
      WEFT_LOG(LogLevel::error, "cannot watch a new connection from %s: %s; closing it (logged once per burst)",
               remote.to_string().c_str(), ec.message().c_str());
      registration_failure_logged_ = true;
    }
    conn->~Conn();  // Closes fd.
    transport->release();
    table.retire(slot);
    table.release(slot);
    connections.fetch_sub(1, std::memory_order_relaxed);
    if (shutting_down_) check_drained();
    return false;
  }
  registration_failure_logged_ = false;
  return true;
}

// A connection that is not made after all: its socket closes and nobody hears of it.
void LoopContext::refuse(int fd) {
  ::close(fd);
  connections.fetch_sub(1, std::memory_order_relaxed);
  if (shutting_down_) check_drained();
}

void LoopContext::start_idle_sweep() {
  if (options.idle_timeout <= Duration::zero()) return;
  Duration period = std::max<Duration>(options.idle_timeout / 4, std::chrono::milliseconds(1));
  idle_timer_ = loop.run_every(period, [this] { sweep_idle(); });
}

void LoopContext::idle_touch(Conn& c, TimePoint now) {
  c.last_active_ = coarse_ms(now);
  if (idle_.tail == &c) return;
  idle_.remove(c);
  idle_.push_back(c);
}

void LoopContext::idle_remove(Conn& c) { idle_.remove(c); }

void LoopContext::sweep_idle() {
  // The list is ordered by last activity, so the sweep stops at the first fresh entry.
  const uint32_t now = coarse_ms(loop.now());
  const uint32_t timeout = coarse_span_ms(options.idle_timeout);
  while (idle_.head != nullptr && now - idle_.head->last_active_ >= timeout) {
    Conn* c = idle_.head;
    idle_.remove(*c);
    c->force_close(CloseReason::idle, make_error_code(Errc::idle_timeout));
  }
}

// Lingering connections share one timer, armed for the oldest; they all wait the same
// linger_timeout, so the list is ordered by deadline.
void LoopContext::linger_add(Conn& c) {
  idle_.remove(c);
  c.last_active_ = coarse_ms(loop.now());
  lingering_.push_back(c);
  if (!linger_timer_) linger_timer_ = loop.run_after(options.linger_timeout, [this] { sweep_lingering(); });
}

void LoopContext::linger_remove(Conn& c) { lingering_.remove(c); }

void LoopContext::sweep_lingering() {
  linger_timer_ = {};
  const uint32_t now = coarse_ms(loop.now());
  const uint32_t timeout = coarse_span_ms(options.linger_timeout);
  while (lingering_.head != nullptr && now - lingering_.head->last_active_ >= timeout) {
    Conn* c = lingering_.head;
    lingering_.remove(*c);
    c->schedule_finalize();
  }
  if (lingering_.head != nullptr) {
    uint32_t left = timeout - (now - lingering_.head->last_active_);
    linger_timer_ = loop.run_after(std::chrono::milliseconds(left), [this] { sweep_lingering(); });
  }
}

// Handshaking connections share one timer, armed for the oldest; they all have the same
// deadline from their start, so the list is ordered by deadline. Progress does not move a
// connection back: a peer trickling its handshake a byte at a time still meets the deadline.
void LoopContext::handshake_add(Conn& c) {
  if (options.handshake_timeout <= Duration::zero() || handshakes_.contains(c)) return;
  c.last_active_ = coarse_ms(loop.now());
  handshakes_.push_back(c);
  if (!handshake_timer_) {
    handshake_timer_ = loop.run_after(options.handshake_timeout, [this] { sweep_handshakes(); });
  }
}

void LoopContext::handshake_remove(Conn& c) { handshakes_.remove(c); }

void LoopContext::sweep_handshakes() {
  handshake_timer_ = {};
  const uint32_t now = coarse_ms(loop.now());
  const uint32_t timeout = coarse_span_ms(options.handshake_timeout);
  size_t closed = 0;
  std::string first;
  const char* transport = "";
  while (handshakes_.head != nullptr && now - handshakes_.head->last_active_ >= timeout) {
    Conn* c = handshakes_.head;
    handshakes_.remove(*c);
    if (closed++ == 0) {
      first = c->remote_address().to_string();
      transport = c->transport_name();
    }
    c->force_close(CloseReason::error, make_error_code(Errc::timeout));
  }
  if (closed > 0) {
    // One line per sweep, however many a flood of stalled handshakes brings.
    WEFT_LOG(LogLevel::warn, "%zu connection(s), the first from %s, did not finish the %s handshake within %u ms; "
             "closed", closed, first.c_str(), transport, timeout);
  }
  if (handshakes_.head != nullptr) {
    uint32_t left = timeout - (now - handshakes_.head->last_active_);
    handshake_timer_ = loop.run_after(std::chrono::milliseconds(left), [this] { sweep_handshakes(); });
  }
}

void LoopContext::shed(size_t share) {
  over_cap_ = true;
  size_t held = loop.buffered_bytes();
  if (held <= share) return;
  std::vector<std::pair<size_t, Conn*>> holders;
  table.for_each([&](Conn* c) {
    size_t n = c->held_bytes();
    if (n > 0) holders.emplace_back(n, c);
  });
  std::sort(holders.begin(), holders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& [n, c] : holders) {
    if (held <= share) break;
    c->force_close(CloseReason::overflow, make_error_code(Errc::outbound_overflow));
    held = held > n ? held - n : 0;
    ++shed_connections;
  }
}

void LoopContext::end_shed() {
  if (!over_cap_) return;
  over_cap_ = false;
  table.for_each([](Conn* c) { c->resume_after_cap(); });
}

void LoopContext::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  if (idle_timer_) loop.cancel(idle_timer_);
  if (hooks_.close_listeners) hooks_.close_listeners();
  table.for_each([](Conn* c) { c->begin_shutdown(); });
  shutdown_timer_ = loop.run_after(options.shutdown_timeout, [this] {
    if (size_t n = table.size(); n > 0) WEFT_LOG(LogLevel::warn, "shutdown deadline passed; cutting %zu connections", n);
    cut();
  });
  check_drained();
}

void LoopContext::cut() {
  table.for_each([](Conn* c) { c->force_close(CloseReason::shutdown, make_error_code(Errc::shutdown)); });
}

void LoopContext::connection_closed() {
  connections.fetch_sub(1, std::memory_order_relaxed);
  if (shutting_down_) check_drained();
}

void LoopContext::check_drained() {
  if (!shutting_down_ || drained_reported_ || table.size() != 0) return;
  drained_reported_ = true;
  loop.cancel(shutdown_timer_);
  if (linger_timer_) loop.cancel(linger_timer_);
  if (handshake_timer_) loop.cancel(handshake_timer_);
  if (hooks_.drained) hooks_.drained();
}

}  // namespace weft::detail
