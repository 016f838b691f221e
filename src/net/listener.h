#pragma once
// Listener: a listening socket on one loop. It accepts until the backlog is empty and hands
// each connection to the server, which picks the loop (or, with reuse_port, keeps it on
// the listener's own loop).
//
// Running out of descriptors (EMFILE/ENFILE) must neither spin nor leave clients hanging:
// the listener keeps one spare descriptor, and when accept fails for lack of descriptors
// it frees the spare, accepts and closes pending connections so they are refused at once,
// and takes the spare back. If even that fails it stops watching the socket for a moment.
// It logs once per such burst.

#include <functional>

#include "weft/core/address.h"
#include "weft/core/detail/io_object.h"
#include "weft/core/event_loop.h"

namespace weft::detail {

class LoopContext;

class Listener final : public IoObject {
 public:
  // Receives each accepted fd (its owner), with the peer's address and the listener's
  // own loop context (for reuse_port; else null).
  using Accepted = std::function<void(int fd, const Address& remote, LoopContext* own)>;

  // Takes ownership of fd. own is the loop context for reuse_port listeners, else null.
  Listener(EventLoop& loop, int fd, const Address& bound, Accepted accepted, LoopContext* own);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void start();
  // Stops listening; removes a Unix socket file this listener created. Loop thread.
  void close();
  const Address& address() const { return address_; }
  void set_owns_path(bool owns) { owns_path_ = owns; }
  bool on_main_loop() const { return own_ == nullptr; }
  LoopContext* owner() const { return own_; }

  void on_io(uint32_t events) override;

 private:
  void refuse_pending();
  void pause_accepting();
  void arm_resume();

  EventLoop& loop_;
  int fd_;
  int spare_fd_;
  Address address_;
  Accepted accepted_;
  LoopContext* own_;
  bool owns_path_ = false;
  bool exhausted_logged_ = false;
  bool paused_ = false;
  TimerId resume_timer_;
};

}  // namespace weft::detail
