#pragma once
// KeyTable: one shard's keys, an open-addressing table of Record pointers (8 bytes a slot).
//
// Robin Hood hashing with the home slot taken from the top bits of the key's hash
// (home = hash * capacity >> 64) and no wrap-around (the array has kMaxDistance spare
// slots past the end). Two properties follow and the rest of weft-kv relies on them:
//   - The slots are ordered by home, so by hash: every key whose hash is at least h sits at
//     or after slot home(h). SCAN's cursor is a hash value, and a scan that returns whole
//     home groups never misses a key that stays present, even across resizes.
//   - A lookup stops at the first slot whose key is nearer its own home than the probe is
//     to the searched key's home, so misses are short too.
// A slot packs the pointer (48 bits), its distance from home (8 bits) and a tag of 8 hash
// bits. Deletion shifts the following keys back, so there are no tombstones.
// Capacity grows by half when 7/8 full and shrinks when under 1/8; a resize rehashes every
// key once (about 0.1 s per million keys).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "hash.h"
#include "record.h"

namespace weft::kv {

class KeyTable {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);
  static constexpr size_t kMaxDistance = 255;

  explicit KeyTable(uint64_t seed);
  ~KeyTable() = default;
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  uint64_t hash(std::string_view key) const;

  // The slot holding key, or npos. Slot numbers are valid until the next insert or erase.
  size_t find(std::string_view key, uint64_t hash) const;
  Record* at(size_t slot) const { return pointer(slots_[slot]); }
  // Replaces the record in a slot by another for the same key (a record that moved).
  void replace(size_t slot, Record* r) { slots_[slot] = (slots_[slot] & ~kPointerMask) | bits(r); }
  // Adds a record whose key is absent.
  void insert(Record* r, uint64_t hash);
  // Removes the record in a slot and returns it.
  Record* erase(size_t slot);

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  // Bytes of the slot array.
  size_t footprint() const { return (capacity_ + kMaxDistance + 1) * sizeof(uint64_t); }

  // A slot holding a record, chosen at random from `random` (npos when empty).
  size_t sample(uint64_t random) const;

  // Visits the records whose hash is at least `cursor`, in hash order, whole home groups
  // at a time, until `count` records were visited or 10 * count slots looked at (as
  // Redis's SCAN). Returns the hash to continue from, or 0 when the end was reached.
  template <class F>
  uint64_t scan(uint64_t cursor, size_t count, F&& visit) const;

  // Removes every record, calling drop(Record*) for each, and shrinks to the minimum.
  template <class F>
  void clear(F&& drop);

 private:
  static constexpr uint64_t kPointerMask = (uint64_t{1} << 48) - 1;
  static constexpr size_t kMinCapacity = 16;

  static Record* pointer(uint64_t s) { return reinterpret_cast<Record*>(s & kPointerMask); }
  static uint64_t bits(Record* r) { return reinterpret_cast<uint64_t>(r); }
  static size_t distance(uint64_t s) { return (s >> 48) & 0xff; }
  static uint64_t tag_of(uint64_t hash) { return (hash >> 8) & 0xff; }
  static uint64_t make_slot(Record* r, size_t dist, uint64_t tag) { return bits(r) | dist << 48 | tag << 56; }

  size_t home(uint64_t hash) const { return static_cast<size_t>((static_cast<Uint128>(hash) * capacity_) >> 64); }
  // The smallest hash whose home is `slot`.
  uint64_t first_hash(size_t slot) const;
  // Places a slot value (carrying its distance) at or after `from`. Returns 0, or the slot
  // value of the key, possibly another one it displaced, that would go further than
  // kMaxDistance from home: that key is then in no slot, and the table must grow.
  uint64_t place(size_t from, uint64_t slot);
  // Rehashes every key, and `extra` if not null, into a table of at least `capacity`.
  void rebuild(size_t capacity, Record* extra);

  uint64_t seed_;
  size_t capacity_ = 0;
  size_t size_ = 0;
  std::unique_ptr<uint64_t[]> slots_;
};

template <class F>
uint64_t KeyTable::scan(uint64_t cursor, size_t count, F&& visit) const {
  const size_t end = capacity_ + kMaxDistance + 1;
  size_t i = home(cursor);
  // Keys before home(cursor)'s group that were pushed this far are skipped.
  const size_t start = i;
  size_t looked = 0;
  size_t visited = 0;
  while (i < end) {
    const uint64_t s = slots_[i];
    if (s != 0 && i - distance(s) >= start) {
      const size_t group = i - distance(s);
      if (visited >= count || looked >= 10 * count) return first_hash(group);
      // The whole group: its keys are contiguous from here.
      while (i < end && slots_[i] != 0 && i - distance(slots_[i]) == group) {
        visit(pointer(slots_[i]));
        ++i;
        ++looked;
        ++visited;
      }
      continue;
    }
    ++i;
    ++looked;
  }
  return 0;
}

template <class F>
void KeyTable::clear(F&& drop) {
  const size_t end = capacity_ + kMaxDistance + 1;
  for (size_t i = 0; i < end; ++i) {
    if (slots_[i] != 0) drop(pointer(slots_[i]));
  }
  size_ = 0;
  capacity_ = kMinCapacity;
  slots_ = std::make_unique<uint64_t[]>(capacity_ + kMaxDistance + 1);
}

}  // namespace weft::kv
