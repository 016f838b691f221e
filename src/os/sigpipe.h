#pragma once
// SIGPIPE on a thread whose writes cannot say MSG_NOSIGNAL (OpenSSL writes through its
// socket BIO with write(2)). A write to a socket whose peer has gone raises SIGPIPE, whose
// default action ends the process; weft never relies on the application to ignore it.
//
// block_sigpipe_here() blocks SIGPIPE for the calling thread, once: the signal such a write
// raises then stays pending on the thread and the write fails with EPIPE. After a write
// failed with EPIPE, discard_sigpipe() takes the pending signal, so that nothing is left to
// be delivered if the application ever unblocks it. Other threads are left alone.

#include <signal.h>

#include <ctime>

namespace weft::detail {

inline void block_sigpipe_here() {
  thread_local bool blocked = false;
  if (blocked) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  blocked = true;
}

inline void discard_sigpipe() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  sigset_t pending;
  if (sigpending(&pending) != 0 || sigismember(&pending, SIGPIPE) != 1) return;
  const timespec now{0, 0};
  while (sigtimedwait(&set, nullptr, &now) == SIGPIPE) {
  }
}

}  // namespace weft::detail
