#pragma once
// What every file of Conn's members shares: user callbacks run through call_user (an
// exception closes the connection instead of escaping the loop), and public members check
// in debug builds that they run on the connection's loop thread.

#include <exception>

#include "weft/core/event_loop.h"
#include "weft/net/conn.h"

#ifdef NDEBUG
#define WEFT_CONN_ASSERT_LOOP(call) ((void)0)
#else
#define WEFT_CONN_ASSERT_LOOP(call) ctx_->loop.assert_in_loop_thread(call)
#endif

namespace weft {

template <class F>
void Conn::call_user(const char* callback, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    handler_threw(callback, e.what());
  } catch (...) {
    handler_threw(callback, "non-standard exception");
  }
}

}  // namespace weft
