#include "weft/net/conn_handle.h"

#include <exception>

#include "net/conn_table.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/net/conn.h"

namespace weft {
namespace {

// Posts task to the connection's loop. If that loop has finished, the task runs here
// instead, where it finds no connection and reports Errc::closed.
void post_or_run(detail::ConnTable& table, EventLoop::Task task) {
  if (!table.loop().post(std::move(task))) task();
}

Conn* lookup(detail::ConnTable* table, uint32_t slot, uint32_t generation) {
  return table->loop().in_loop_thread() ? table->find(slot, generation) : nullptr;
}

}  // namespace

EventLoop* ConnHandle::loop() const { return table_ != nullptr ? &table_->loop() : nullptr; }

template <class Bytes>
void ConnHandle::send_bytes(Bytes bytes, Done done) const {
  if (table_ == nullptr) {
    if (done) done(make_error_code(Errc::closed));
    return;
  }
  post_or_run(*table_, [table = table_, slot = slot_, generation = generation_, bytes = std::move(bytes),
                        done = std::move(done)]() mutable {
    Conn* conn = lookup(table, slot, generation);
    if (conn == nullptr) {
      if (done) done(make_error_code(Errc::closed));
      return;
    }
    conn->queue_send(std::move(bytes), done);
  });
}

void ConnHandle::send(std::string bytes, Done done) const { send_bytes(std::move(bytes), std::move(done)); }
void ConnHandle::send(SharedBytes bytes, Done done) const { send_bytes(std::move(bytes), std::move(done)); }

void ConnHandle::close() const {
  post([](Conn& conn) { conn.close(); });
}

void ConnHandle::abort() const {
  post([](Conn& conn) { conn.abort(); });
}

void ConnHandle::post(std::function<void(Conn&)> fn, Done done) const {
  if (table_ == nullptr) {
    if (done) done(make_error_code(Errc::closed));
    return;
  }
  post_or_run(*table_, [table = table_, slot = slot_, generation = generation_, fn = std::move(fn),
                        done = std::move(done)] {
    Conn* conn = lookup(table, slot, generation);
    if (conn == nullptr) {
      if (done) done(make_error_code(Errc::closed));
      return;
    }
    // Like a handler callback, a throwing function closes its connection; done still runs
    // exactly once, and says so.
    try {
      fn(*conn);
    } catch (const std::exception& e) {
      conn->handler_threw("a posted function", e.what());
      if (done) done(make_error_code(Errc::handler_error));
      return;
    } catch (...) {
      conn->handler_threw("a posted function", "non-standard exception");
      if (done) done(make_error_code(Errc::handler_error));
      return;
    }
    if (done) done({});
  });
}

}  // namespace weft
