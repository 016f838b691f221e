// Expiry: keys with a TTL are removed when a lookup meets them expired (Store::find) and by
// an active cycle on every shard, ten times a second, as Redis's serverCron does.

#include <chrono>

#include "server.h"
#include "shard.h"
#include "store.h"

namespace weft::kv {

size_t Store::expire_cycle(int64_t budget_us) {
  // Redis's active expiry: sample 20 keys with a TTL, remove the expired ones, go on while
  // more than a tenth of a sample was expired and time is left.
  constexpr size_t kSample = 20;
  const auto start = std::chrono::steady_clock::now();
  size_t removed = 0;
  for (;;) {
    if (expires_.empty()) break;
    const size_t n = std::min(kSample, expires_.size());
    size_t hit = 0;
    for (size_t i = 0; i < n && !expires_.empty(); ++i) {
      Record* r = expires_[random() % expires_.size()];
      if (!expired(r)) continue;
      erase(table_.find(r->key(), hash(r->key())));
      ++expired_;
      ++hit;
    }
    removed += hit;
    if (hit * 10 <= n) break;
    const auto spent = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    if (spent.count() >= budget_us) break;
  }
  return removed;
}

void Shard::start_cron() {
  loop_.run_every(std::chrono::milliseconds(100), [this] { cron(); });
}

void Shard::cron() {
  refresh_clock();
  // A quarter of the 100 ms period at most, as Redis's slow cycle.
  store_.expire_cycle(25000);
  make_room();
  publish();
}

}  // namespace weft::kv
