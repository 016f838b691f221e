#pragma once
// StreamHandle: reaches a coroutine's stream from other coroutines, connections and
// threads, to send it bytes or close it. Stream::handle() makes one.
//
//   // A chat: every member keeps its handle in a shared room; a line goes to all others.
//   SharedBytes line = SharedBytes::copy_of(text);
//   for (const StreamHandle& h : room.members()) if (h != me) h.send(line);
//
// It is a small value built on ConnHandle: copy it freely, from any thread. It names the
// connection, not the Stream, so a handle that outlives its connection is harmless: its
// operations then do nothing (or report Errc::closed to done). It must not outlive the
// server whose connection it names.
//
// Order. What a handle sends goes into the same output as the coroutine's own writes, in
// the order the loop sees them; the bytes of one send are never interleaved with other
// bytes. Sends count against ServerOptions::max_outbound like any write: past it the
// connection closes with CloseReason::overflow and done gets Errc::outbound_overflow.
// close() lets the coroutine's pending operation complete with Errc::closed, and its
// Stream::close_reason() then reads CloseReason::local.

#include <string>
#include <utility>

#include "weft/core/shared_bytes.h"
#include "weft/net/conn_handle.h"

namespace weft {

class StreamHandle {
 public:
  using Done = ConnHandle::Done;

  StreamHandle() = default;
  explicit StreamHandle(ConnHandle conn) : conn_(conn) {}

  // Queues bytes for the peer; done (optional) runs once, on the stream's loop thread, as
  // for ConnHandle::send. Any thread.
  void send(std::string bytes, Done done = {}) const { conn_.send(std::move(bytes), std::move(done)); }
  // Queues a reference to shared bytes (a broadcast sends one buffer to many). Any thread.
  void send(SharedBytes bytes, Done done = {}) const { conn_.send(std::move(bytes), std::move(done)); }
  // Closes the connection once its output is flushed. Any thread.
  void close() const { conn_.close(); }
  // Closes at once with a reset, dropping queued output. Any thread.
  void abort() const { conn_.abort(); }

  // True for a default-constructed handle (or one taken from a closed stream).
  bool empty() const { return conn_.empty(); }
  // The stream's loop, or null for an empty handle.
  EventLoop* loop() const { return conn_.loop(); }
  const ConnHandle& conn_handle() const { return conn_; }
  friend bool operator==(const StreamHandle&, const StreamHandle&) = default;

 private:
  ConnHandle conn_;
};

}  // namespace weft
