#pragma once
// A test seam: makes the next registrations with the poller fail as the kernel would under
// a flood (epoll_ctl with ENOMEM or ENOSPC), so tests can show that a refused connection
// is closed, counted and forgotten without reaching the handler. Process-wide; off unless
// a test arms it. Costs one relaxed load per registration.

#include <atomic>

namespace weft::detail {

inline std::atomic<int> g_failing_registrations{0};
inline std::atomic<int> g_registration_errno{0};

// The next `count` registrations fail with `error`.
inline void inject_poller_failures(int count, int error) {
  g_registration_errno.store(error, std::memory_order_relaxed);
  g_failing_registrations.store(count, std::memory_order_release);
}

// The errno for this registration, or 0 if it should go ahead.
inline int injected_poller_failure() {
  if (g_failing_registrations.load(std::memory_order_relaxed) <= 0) return 0;
  if (g_failing_registrations.fetch_sub(1, std::memory_order_acq_rel) <= 0) return 0;
  return g_registration_errno.load(std::memory_order_relaxed);
}

}  // namespace weft::detail
