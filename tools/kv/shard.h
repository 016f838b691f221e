#pragma once
// Shard: what one loop owns. Each key belongs to exactly one shard (hash.h, shard_of), and
// each connection to the shard of the loop it was accepted on. A shard's store, clients
// and pub/sub subscriptions are touched only by its loop thread; other loops reach them
// by posting work to it (dispatch.h). The atomics below are published copies of its
// counters, for INFO on any loop.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dispatch.h"
#include "pubsub.h"
#include "store.h"
#include "weft/core/event_loop.h"
#include "weft/net/conn.h"
#include "weft/resp/stats.h"

namespace weft::kv {

class Client;
class KvServer;

class Shard {
 public:
  Shard(KvServer& server, uint32_t index, EventLoop& loop, uint64_t seed);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  KvServer& server() const { return server_; }
  uint32_t index() const { return index_; }
  EventLoop& loop() const { return loop_; }
  Store& store() { return store_; }
  Router& router() { return router_; }
  PubSub& pubsub() { return pubsub_; }

  // Reads the wall clock into the store (once per batch of commands).
  void refresh_clock();

  // --- clients (loop thread) ---
  Client* add_client(Conn& conn);
  // The client's connection is gone: it is freed now, or when its last reply from another
  // loop arrives.
  void release(Client* client);
  template <class F>
  void for_each_client(F&& f) const {
    for (Client* c = clients_; c != nullptr; c = next_of(c)) f(*c);
  }
  size_t client_count() const { return client_count_; }

  // Copies the store's counters into the published atomics.
  void publish();

  // Starts the periodic work (active expiry, eviction, publishing counters). Loop thread,
  // once.
  void start_cron();
  // With allkeys-lru: evicts from this shard until it is within its share of maxmemory.
  void make_room();
  // With noeviction: true when the shards together use more than maxmemory.
  bool refuses_writes();

  // Scratch space for commands (APPEND's value, ZADD's scores, ZRANGE's entries); loop
  // thread. Reused, so steady traffic allocates nothing.
  std::string scratch;
  std::vector<double> doubles;
  std::vector<const struct ZEntry*> entries;
  // A pseudo-random number (SPOP, SRANDMEMBER); loop thread.
  uint64_t random() {
    uint64_t x = random_state_;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    random_state_ = x;
    return x * 0x2545f4914f6cdd1dull;
  }

  // --- counters: written by the loop thread, read anywhere ---
  // Commands read on this loop, their error replies and latency (written by this loop).
  resp::CommandStats command_stats;
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> hits{0};
  std::atomic<uint64_t> misses{0};
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> published_keys{0};
  std::atomic<uint64_t> published_expiring{0};
  std::atomic<uint64_t> published_memory{0};
  std::atomic<uint64_t> published_expired{0};
  std::atomic<uint64_t> published_evicted{0};
  std::atomic<uint64_t> published_clients{0};
  std::atomic<uint64_t> published_channels{0};
  std::atomic<uint64_t> published_patterns{0};

  // Adds one to a counter only this loop writes: a plain load and store, no locked add.
  static void bump(std::atomic<uint64_t>& counter, uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

 private:
  static Client* next_of(const Client* c);
  void cron();

  KvServer& server_;
  uint32_t index_;
  EventLoop& loop_;
  Store store_;
  Router router_;
  PubSub pubsub_;
  Client* clients_ = nullptr;
  uint64_t random_state_;
  size_t client_count_ = 0;
};

}  // namespace weft::kv
