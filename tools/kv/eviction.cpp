// Eviction: with --maxmemory and allkeys-lru, each shard keeps its data within its share
// of the limit (maxmemory / loops: keys are spread evenly by their hash) by removing the
// least recently used of a few sampled keys, before each write and in its cron. With
// noeviction, writes are refused with OOM once all the shards together are over the limit.

#include "server.h"
#include "shard.h"
#include "store.h"

namespace weft::kv {

bool Store::evict_one(size_t samples) {
  size_t best = npos;
  uint32_t best_idle = 0;
  for (size_t i = 0; i < samples; ++i) {
    const size_t slot = table_.sample(random());
    if (slot == npos) return false;
    const uint32_t idle = (lru_clock_ - table_.at(slot)->lru()) & 0xffffff;
    if (best == npos || idle > best_idle) {
      best = slot;
      best_idle = idle;
    }
  }
  if (best == npos) return false;
  erase(best);
  ++evicted_;
  return true;
}

void Shard::make_room() {
  const uint64_t max = server_.maxmemory.load(std::memory_order_relaxed);
  if (max == 0 || server_.policy.load(std::memory_order_relaxed) != EvictionPolicy::allkeys_lru) return;
  const uint64_t share = max / server_.shard_count();
  // Redis samples five keys per eviction (maxmemory-samples).
  while (store_.memory() > share && store_.evict_one(5)) {
  }
}

bool Shard::refuses_writes() {
  const uint64_t max = server_.maxmemory.load(std::memory_order_relaxed);
  if (max == 0 || server_.policy.load(std::memory_order_relaxed) != EvictionPolicy::noeviction) return false;
  uint64_t used = store_.memory();
  for (size_t i = 0; i < server_.shard_count(); ++i) {
    if (i != index_) used += server_.shard(i).published_memory.load(std::memory_order_relaxed);
  }
  return used > max;
}

}  // namespace weft::kv
