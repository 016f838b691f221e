// Hot paths of the timer layer: arming and cancelling (the idle-timeout and request-timeout
// shape: most timers never fire), and firing due timers.

#include <benchmark/benchmark.h>

#include <vector>

#include "weft/core/event_loop.h"

namespace {

using namespace std::chrono_literals;

void BM_TimerAddCancel(benchmark::State& state) {
  weft::EventLoop loop;
  std::vector<weft::TimerId> ids(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    for (auto& id : ids) id = loop.run_after(30s, [] {});
    for (auto id : ids) loop.cancel(id);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TimerAddCancel)->Arg(1)->Arg(1000)->Arg(100000);

void BM_TimerFire(benchmark::State& state) {
  // Zero-delay timers fire on the next loop iteration; a poster stops the loop when done.
  const int count = static_cast<int>(state.range(0));
  for (auto _ : state) {
    weft::EventLoop loop;
    int fired = 0;
    for (int i = 0; i < count; ++i) {
      loop.run_after(0ms, [&] {
        if (++fired == count) loop.quit();
      });
    }
    loop.run();
    benchmark::DoNotOptimize(fired);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TimerFire)->Arg(1000)->Arg(100000);

}  // namespace
