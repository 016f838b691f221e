#pragma once
// StrTable<V>: an open-addressing hash table from Str keys to values of type V, the
// large form of hashes, sets and sorted sets. A control byte per slot (empty, deleted, or
// 7 bits of the hash) keeps probes in one cache line most of the time; deletions leave
// tombstones that the next rehash drops. Keys are hashed with the process seed.
//
// The table does not own its keys' heap bytes: the container that uses it decides
// (release() them on erase, or keep them alive elsewhere, as the sorted set does).
// Entry pointers are valid until the next insert.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

#include "hash.h"
#include "small_string.h"

namespace weft::kv {

template <class V>
class StrTable {
 public:
  struct Entry {
    Str key;
    V value;
  };

  StrTable() = default;
  ~StrTable() { std::free(memory_); }
  StrTable(const StrTable&) = delete;
  StrTable& operator=(const StrTable&) = delete;

  size_t size() const { return size_; }
  // Bytes of the slot arrays.
  size_t footprint() const { return capacity_ * (1 + sizeof(Entry)); }

  static uint64_t hash(std::string_view key) { return hash_bytes(key, process_seed()); }

  Entry* find(std::string_view key) const { return find(key, hash(key)); }
  Entry* find(std::string_view key, uint64_t h) const {
    if (capacity_ == 0) return nullptr;
    const uint8_t tag = tag_of(h);
    for (size_t i = h & (capacity_ - 1);; i = (i + 1) & (capacity_ - 1)) {
      const uint8_t c = ctrl_[i];
      if (c == kEmpty) return nullptr;
      if (c == tag && entries_[i].key == key) return &entries_[i];
    }
  }

  // Adds `key` (which must be absent) with a default value; the key's Str is stored as
  // given. Returns the new entry.
  Entry* insert(Str key, uint64_t h) {
    if ((used_ + 1) * 8 > capacity_ * 7) rehash(size_ * 2 + 1 > capacity_ / 2 ? capacity_ * 2 : capacity_);
    const uint8_t tag = tag_of(h);
    for (size_t i = h & (capacity_ - 1);; i = (i + 1) & (capacity_ - 1)) {
      if (ctrl_[i] == kEmpty || ctrl_[i] == kDeleted) {
        if (ctrl_[i] == kEmpty) ++used_;
        ctrl_[i] = tag;
        entries_[i].key = key;
        new (&entries_[i].value) V();
        ++size_;
        return &entries_[i];
      }
    }
  }

  // Removes the entry (found by find()); the key's bytes are the caller's to release.
  void erase(Entry* e) {
    const size_t i = static_cast<size_t>(e - entries_);
    ctrl_[i] = kDeleted;
    --size_;
    if (capacity_ > kMinCapacity && size_ * 8 < capacity_) rehash(capacity_ / 2);
  }

  // Calls f(Entry&) for every entry.
  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < capacity_; ++i) {
      if (ctrl_[i] & 0x80) f(entries_[i]);
    }
  }

  // An entry chosen from a random number (null when empty).
  Entry* random_entry(uint64_t random) const {
    if (size_ == 0) return nullptr;
    for (size_t i = random & (capacity_ - 1);; i = (i + 1) & (capacity_ - 1)) {
      if (ctrl_[i] & 0x80) return &entries_[i];
    }
  }

 private:
  static constexpr uint8_t kEmpty = 0;
  static constexpr uint8_t kDeleted = 1;
  static constexpr size_t kMinCapacity = 8;

  static uint8_t tag_of(uint64_t h) { return static_cast<uint8_t>(0x80 | (h >> 57)); }

  void rehash(size_t capacity) {
    if (capacity < kMinCapacity) capacity = kMinCapacity;
    uint8_t* old_ctrl = ctrl_;
    Entry* old_entries = entries_;
    void* old_memory = memory_;
    const size_t old_capacity = capacity_;
    const size_t bytes = capacity * sizeof(Entry) + capacity;
    memory_ = std::malloc(bytes);
    if (memory_ == nullptr) throw std::bad_alloc();
    entries_ = static_cast<Entry*>(memory_);
    ctrl_ = reinterpret_cast<uint8_t*>(entries_ + capacity);
    std::memset(ctrl_, kEmpty, capacity);
    capacity_ = capacity;
    used_ = size_;
    for (size_t i = 0; i < old_capacity; ++i) {
      if (!(old_ctrl[i] & 0x80)) continue;
      const uint64_t h = hash(old_entries[i].key.view());
      size_t j = h & (capacity_ - 1);
      while (ctrl_[j] != kEmpty) j = (j + 1) & (capacity_ - 1);
      ctrl_[j] = tag_of(h);
      std::memcpy(static_cast<void*>(&entries_[j]), &old_entries[i], sizeof(Entry));
    }
    std::free(old_memory);
  }

  void* memory_ = nullptr;
  Entry* entries_ = nullptr;
  uint8_t* ctrl_ = nullptr;
  size_t capacity_ = 0;
  size_t size_ = 0;
  size_t used_ = 0;  // Full and deleted slots.
};

}  // namespace weft::kv
