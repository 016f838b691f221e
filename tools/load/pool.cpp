#include "pool.h"

#include <algorithm>

namespace weft_load {

Pool::Pool(const Options& opt, const weft::Address& ep, const Codec& codec, unsigned conns, std::uint64_t start,
           std::uint64_t window_begin, std::uint64_t window_end, std::atomic<bool>& stop)
    : stop_(stop) {
  const unsigned n = std::min(opt.threads, conns);
  std::vector<WorkerPlan> plans(n);
  for (unsigned i = 0; i < conns; ++i) plans[i % n].conn_ids.push_back(i);
  for (WorkerPlan& p : plans) {
    p.rate = opt.rate * static_cast<double>(p.conn_ids.size()) / conns;
    p.start = start;
    p.window_begin = window_begin;
    p.window_end = window_end;
    workers_.push_back(std::make_unique<Worker>(opt, ep, codec, std::move(p), stop_));
  }
  for (auto& w : workers_) threads_.emplace_back([&w] { w->run(); });
}

void Pool::join() {
  stop_.store(true);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::uint64_t Pool::sum(std::atomic<std::uint64_t> Worker::*field) const {
  std::uint64_t total = 0;
  for (const auto& w : workers_) total += ((*w).*field).load(std::memory_order_relaxed);
  return total;
}

Counters Pool::counters() const {
  Counters c;
  for (const auto& w : workers_) c.merge(w->counters());
  return c;
}

Histogram Pool::histogram() const {
  Histogram h;
  for (const auto& w : workers_) h.merge(w->histogram());
  return h;
}

}  // namespace weft_load
