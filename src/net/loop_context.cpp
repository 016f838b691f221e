#include "net/loop_context.h"

#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <exception>
#include <utility>

#include "core/socket.h"
#include "transport/plain_transport.h"
#include "weft/core/detail/loop_access.h"
#include "weft/core/error.h"
#include "weft/core/log.h"
#include "weft/net/conn.h"

namespace weft::detail {

void ConnList::push_back(Conn& c) {
  assert(c.list_ == 0 && "a connection is in one timing list at a time");
  c.list_ = id;
  c.idle_prev_ = tail;
  c.idle_next_ = nullptr;
  if (tail != nullptr) tail->idle_next_ = &c;
  tail = &c;
  if (head == nullptr) head = &c;
}

bool ConnList::contains(const Conn& c) const { return c.list_ == id; }

void ConnList::remove(Conn& c) {
  if (!contains(c)) return;
  (c.idle_prev_ != nullptr ? c.idle_prev_->idle_next_ : head) = c.idle_next_;
  (c.idle_next_ != nullptr ? c.idle_next_->idle_prev_ : tail) = c.idle_prev_;
  c.idle_prev_ = c.idle_next_ = nullptr;
  c.list_ = 0;
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
    stats.registration_failures.add();
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
  stats.accepted.add();
  return true;
}

// A connection that is not made after all: its socket closes and nobody hears of it.
void LoopContext::refuse(int fd) {
  ::close(fd);
  connections.fetch_sub(1, std::memory_order_relaxed);
  if (shutting_down_) check_drained();
}

void LoopContext::start_idle_sweep() {
  if (options.heartbeat.interval > Duration::zero()) {
    heartbeat_timer_ = loop.run_every(options.heartbeat.interval, [this] { sweep_heartbeat(); });
  }
  if (options.idle_timeout <= Duration::zero()) return;
  Duration period = std::max<Duration>(options.idle_timeout / 4, std::chrono::milliseconds(1));
  idle_timer_ = loop.run_every(period, [this] { sweep_idle(); });
}

// Only a connection in the idle list or in none moves: one still handshaking keeps its
// handshake deadline, a lingering one its linger deadline.
void LoopContext::idle_touch(Conn& c, TimePoint now) {
  if (c.list_ != 0 && c.list_ != idle_.id) return;
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
  unlist(c);
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
  unlist(c);  // A dialed connection joined the idle list when its connect finished.
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

void LoopContext::connect_add(Conn& c, Duration timeout) {
  c.last_active_ = coarse_ms(loop.now());
  connect_timeout_ms_ = coarse_span_ms(timeout);
  connecting_.push_back(c);
  if (!connect_timer_) connect_timer_ = loop.run_after(timeout, [this] { sweep_connecting(); });
}

void LoopContext::connect_remove(Conn& c) { connecting_.remove(c); }

void LoopContext::sweep_connecting() {
  connect_timer_ = {};
  const uint32_t now = coarse_ms(loop.now());
  while (connecting_.head != nullptr && now - connecting_.head->last_active_ >= connect_timeout_ms_) {
    Conn* c = connecting_.head;
    connecting_.remove(*c);
    c->force_close(CloseReason::error, make_error_code(Errc::timeout));
  }
  if (connecting_.head != nullptr) {
    uint32_t left = connect_timeout_ms_ - (now - connecting_.head->last_active_);
    connect_timer_ = loop.run_after(std::chrono::milliseconds(left), [this] { sweep_connecting(); });
  }
}

void LoopContext::unlist(Conn& c) {
  for (ConnList* list : {&idle_, &lingering_, &connecting_, &handshakes_}) {
    if (list->contains(c)) {
      list->remove(c);
      return;
    }
  }
}

// One walk over the loop's connections per beat: ping those that wrote nothing since the
// last one, count a miss for those that read nothing, close those out of misses.
void LoopContext::sweep_heartbeat() {
  const Heartbeat& hb = options.heartbeat;
  table.for_each([&](Conn* c) {
    if (c->life_ != Conn::Life::open || c->handshaking_) return;
    const uint8_t beat = c->beat_;
    unsigned misses = (beat & kBeatRead) ? 0 : (beat & kBeatMisses) + 1u;
    c->beat_ = static_cast<uint8_t>((beat & (kBeatReadDeadline | kBeatDeadlines)) | std::min(misses, 15u));
    if (misses >= hb.misses) {
      c->begin_close(CloseReason::heartbeat, make_error_code(Errc::heartbeat_timeout));
      return;
    }
    if (!(beat & kBeatWrote) && c->writable()) {
      try {
        handler.on_heartbeat(*c);
      } catch (const std::exception& e) {
        c->handler_threw("on_heartbeat", e.what());
      } catch (...) {
        c->handler_threw("on_heartbeat", "non-standard exception");
      }
    }
  });
}

void LoopContext::set_deadline(Conn& c, bool for_read, Duration timeout) {
  loop.assert_in_loop_thread(for_read ? "Conn::set_read_deadline" : "Conn::set_write_deadline");
  if (auto it = deadlines_.find(c.slot_); it != deadlines_.end()) {
    TimerId& t = for_read ? it->second.read : it->second.write;
    if (t) loop.cancel(t);
    t = {};
  }
  if (for_read) c.beat_ &= static_cast<uint8_t>(~kBeatReadDeadline);
  if (timeout <= Duration::zero() || c.life_ != Conn::Life::open) return;
  const uint32_t slot = c.slot_;
  const uint32_t generation = table.generation(slot);
  TimerId id = loop.run_after(timeout, [this, slot, generation, for_read] { deadline_passed(slot, generation, for_read); });
  Deadlines& d = deadlines_[slot];
  (for_read ? d.read : d.write) = id;
  c.beat_ |= static_cast<uint8_t>(kBeatDeadlines | (for_read ? kBeatReadDeadline : 0));
}

void LoopContext::deadline_passed(uint32_t slot, uint32_t generation, bool for_read) {
  Conn* c = table.find(slot, generation);
  if (c == nullptr) return;
  if (auto it = deadlines_.find(slot); it != deadlines_.end()) (for_read ? it->second.read : it->second.write) = {};
  if (c->life_ != Conn::Life::open) return;
  if (for_read) {
    if (!(c->beat_ & kBeatReadDeadline)) return;  // Something was read meanwhile.
    c->beat_ &= static_cast<uint8_t>(~kBeatReadDeadline);
    c->begin_close(CloseReason::deadline, make_error_code(Errc::read_deadline));
  } else if (c->outbound_size() > 0) {
    // The output cannot leave in time: it is dropped with the connection.
    c->force_close(CloseReason::deadline, make_error_code(Errc::write_deadline));
  }
}

void LoopContext::clear_deadlines(Conn& c) {
  auto it = deadlines_.find(c.slot_);
  if (it == deadlines_.end()) return;
  if (it->second.read) loop.cancel(it->second.read);
  if (it->second.write) loop.cancel(it->second.write);
  deadlines_.erase(it);
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
    stats.shed.add();
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
  if (heartbeat_timer_) loop.cancel(heartbeat_timer_);
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
  if (connect_timer_) loop.cancel(connect_timer_);
  if (hooks_.drained) hooks_.drained();
}

}  // namespace weft::detail
