#pragma once
// Store: the keys one shard owns, with their expiry times, LRU clocks and the memory they
// take. Only the shard's loop thread uses it.
//
// Expired keys are removed lazily, when a lookup meets one, and actively, by
// expire_cycle() sampling the keys that have a TTL, as Redis does. Each record with a TTL
// knows its position in the expiry index, so sampling is O(1) and so is removal.
//
// Slots returned by find() are valid until the next insert or erase.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "key_table.h"
#include "record.h"

namespace weft::kv {

// Container types (lists, hashes, sets, sorted sets) plug in here: how to free one and
// how many bytes it takes.
void destroy_object(Type type, void* object);
size_t object_footprint(Type type, const void* object);

class Store {
 public:
  static constexpr size_t npos = KeyTable::npos;

  explicit Store(uint64_t seed);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The time commands see (unix ms) and the LRU clock; set once per batch of commands.
  void set_now(int64_t now_ms);
  int64_t now() const { return now_ms_; }
  uint32_t lru_clock() const { return lru_clock_; }

  uint64_t hash(std::string_view key) const { return table_.hash(key); }

  // The slot of a live key, or npos; an expired key is deleted on the way. Touches the
  // key's LRU clock.
  size_t find(std::string_view key, uint64_t hash);
  size_t find(std::string_view key) { return find(key, hash(key)); }
  Record* at(size_t slot) const { return table_.at(slot); }

  static constexpr int64_t kKeepExpiry = -2;

  // Sets key to a string value: at `slot` when it exists (any type), else as a new key.
  // expire_at is a unix time in ms, Record::kNoExpiry, or kKeepExpiry. Invalidates slots
  // when the key is new or changes type.
  void set_string(std::string_view key, uint64_t hash, size_t slot, std::string_view value, int64_t expire_at);
  // Adds a record for an absent key (its expiry, if any, is indexed). Invalidates slots.
  void insert(Record* r, uint64_t hash);
  // The record at `slot` was replaced by `r` (same key; a record that moved or grew).
  // old_footprint is the old record's footprint(), taken before it was freed.
  void replaced(size_t slot, Record* r, size_t old_footprint);
  // Removes and frees the key at `slot`, its container too. Invalidates slots.
  void erase(size_t slot);
  // Removes the key at `slot` and hands its record (with its container) to the caller,
  // for another store's insert(). Invalidates slots.
  Record* take(size_t slot);
  // Sets or removes (Record::kNoExpiry) the expiry of the key at `slot`.
  void set_expiry(size_t slot, int64_t expire_at);
  // A container grew or shrank by delta bytes.
  void adjust_memory(int64_t delta) { memory_ += delta; }

  // Removes every key.
  void clear();

  // Active expiry: samples keys with a TTL and removes the expired ones, for at most
  // `budget_us` microseconds. Returns how many it removed.
  size_t expire_cycle(int64_t budget_us);
  // Removes the least recently used of `samples` random keys. False when empty.
  bool evict_one(size_t samples);
  // A random live key's slot, or npos when there is none.
  size_t random_slot();

  size_t size() const { return table_.size(); }
  size_t expiring() const { return expires_.size(); }
  // Bytes the keys, values and the table take.
  size_t memory() const;
  uint64_t expired_keys() const { return expired_; }
  uint64_t evicted_keys() const { return evicted_; }

  const KeyTable& table() const { return table_; }

 private:
  bool expired(const Record* r) const { return r->has_expiry() && r->expire_at() <= now_ms_; }
  void index_expiry(Record* r);
  void unindex_expiry(Record* r);
  void free_record(Record* r);
  uint64_t random();

  KeyTable table_;
  std::vector<Record*> expires_;
  int64_t now_ms_ = 0;
  uint32_t lru_clock_ = 0;
  int64_t memory_ = 0;  // Records and containers.
  uint64_t expired_ = 0;
  uint64_t evicted_ = 0;
  uint64_t random_state_;
};

}  // namespace weft::kv
