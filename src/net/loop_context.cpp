#include "net/loop_context.h"

#include <unistd.h>

#include "core/socket.h"
#include "net/listener.h"
#include "net/server_core.h"
#include "weft/core/log.h"
#include "weft/net/conn.h"

namespace weft::detail {

LoopContext::LoopContext(ServerCore& server, EventLoop& l, size_t i)
    : core(server), loop(l), handler(server.handler), options(server.options), index(i), table(l) {
  segments.reserve(16);
}

LoopContext::~LoopContext() = default;

bool LoopContext::adopt(int fd, const Address& remote, void* context) {
  if (shutting_down_) {
    ::close(fd);
    connections.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  if (!remote.is_unix()) {
    if (options.tcp_nodelay) set_nodelay(fd, true);
    if (options.keep_alive) set_keep_alive(fd, true);
  }
  set_buffer_sizes(fd, options.receive_buffer, options.send_buffer);
  uint32_t generation = 0;
  uint32_t slot = table.reserve(generation);
  Conn* conn = new Conn(*this, fd, slot, generation, remote);
  table.fill(slot, conn);
  conn->set_context(context);
  conn->open();
  return true;
}

void LoopContext::start_idle_sweep() {
  if (options.idle_timeout <= Duration::zero()) return;
  Duration period = std::max<Duration>(options.idle_timeout / 4, std::chrono::milliseconds(1));
  idle_timer_ = loop.run_every(period, [this] { sweep_idle(); });
}

void LoopContext::idle_touch(Conn& c, TimePoint now) {
  c.last_active_ = now;
  if (idle_tail_ == &c) return;
  if (c.idle_prev_ != nullptr || idle_head_ == &c) idle_remove(c);
  c.idle_prev_ = idle_tail_;
  c.idle_next_ = nullptr;
  if (idle_tail_ != nullptr) idle_tail_->idle_next_ = &c;
  idle_tail_ = &c;
  if (idle_head_ == nullptr) idle_head_ = &c;
}

void LoopContext::idle_remove(Conn& c) {
  if (c.idle_prev_ == nullptr && idle_head_ != &c) return;  // Not in the list.
  if (c.idle_prev_ != nullptr) c.idle_prev_->idle_next_ = c.idle_next_;
  if (c.idle_next_ != nullptr) c.idle_next_->idle_prev_ = c.idle_prev_;
  if (idle_head_ == &c) idle_head_ = c.idle_next_;
  if (idle_tail_ == &c) idle_tail_ = c.idle_prev_;
  c.idle_prev_ = c.idle_next_ = nullptr;
}

void LoopContext::sweep_idle() {
  // The list is ordered by last activity, so the sweep stops at the first fresh entry.
  TimePoint limit = loop.now() - options.idle_timeout;
  while (idle_head_ != nullptr && idle_head_->last_active_ <= limit) {
    Conn* c = idle_head_;
    idle_remove(*c);
    c->force_close(CloseReason::idle, make_error_code(Errc::idle_timeout));
  }
}

void LoopContext::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  if (idle_timer_) loop.cancel(idle_timer_);
  for (Listener* l : listeners) l->close();
  table.for_each([](Conn* c) { c->begin_shutdown(); });
  shutdown_timer_ = loop.run_after(options.shutdown_timeout, [this] {
    size_t cut = table.size();
    if (cut > 0) WEFT_LOG(LogLevel::warn, "shutdown deadline passed; cutting %zu connections", cut);
    table.for_each([](Conn* c) { c->force_close(CloseReason::shutdown, make_error_code(Errc::shutdown)); });
  });
  check_drained();
}

void LoopContext::connection_closed() {
  connections.fetch_sub(1, std::memory_order_relaxed);
  if (shutting_down_) check_drained();
}

void LoopContext::check_drained() {
  if (!shutting_down_ || drained_reported_ || table.size() != 0) return;
  drained_reported_ = true;
  loop.cancel(shutdown_timer_);
  core.loop_drained();
}

}  // namespace weft::detail
