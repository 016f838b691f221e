#include "net/memory_governor.h"

#include "net/loop_context.h"
#include "weft/core/detail/loop_access.h"
#include "weft/core/log.h"

namespace weft::detail {
namespace {

constexpr auto kCheckPeriod = std::chrono::milliseconds(10);

}  // namespace

MemoryGovernor::MemoryGovernor(EventLoop& main_loop, std::vector<LoopContext*> loops, size_t cap)
    : main_(main_loop), loops_(std::move(loops)), cap_(cap), share_(cap / loops_.size()) {}

void MemoryGovernor::start() {
  for (LoopContext* l : loops_) arm(*l);
}

size_t MemoryGovernor::total() const {
  size_t sum = 0;
  for (LoopContext* l : loops_) sum += l->loop.buffered_bytes();
  return sum;
}

// Called on the loop's own thread (or before it runs).
void MemoryGovernor::arm(LoopContext& l) {
  detail::LoopAccess(l.loop).on_buffered_above(share_ / 2, [this] { main_.post([this] { activate(); }); });
}

void MemoryGovernor::activate() {
  if (active_) return;
  active_ = true;
  timer_ = main_.run_every(kCheckPeriod, [this] { check(); });
}

void MemoryGovernor::check() {
  size_t sum = total();
  if (sum > cap_) {
    if (!shedding_) {
      WEFT_LOG(LogLevel::warn, "connections hold %zu bytes in buffers (cap %zu); pausing reads and closing the biggest",
               sum, cap_);
    }
    shedding_ = true;
    for (LoopContext* l : loops_) l->loop.post([l, share = share_] { l->shed(share); });
    return;
  }
  if (shedding_ && sum <= cap_ / 4 * 3) {
    shedding_ = false;
    for (LoopContext* l : loops_) l->loop.post([l] { l->end_shed(); });
    return;
  }
  if (!shedding_ && sum < cap_ / 4) {
    active_ = false;
    main_.cancel(timer_);
    for (LoopContext* l : loops_) l->loop.post([this, l] { arm(*l); });
  }
}

}  // namespace weft::detail
