#include "key_table.h"

#include <algorithm>
#include <cstring>

#include "hash.h"

namespace weft::kv {

KeyTable::KeyTable(uint64_t seed)
    : seed_(seed), capacity_(kMinCapacity), slots_(std::make_unique<uint64_t[]>(kMinCapacity + kMaxDistance + 1)) {}

uint64_t KeyTable::hash(std::string_view key) const {
  return hash_bytes(key, seed_);
}

size_t KeyTable::find(std::string_view key, uint64_t hash) const {
  const uint64_t tag = tag_of(hash);
  size_t i = home(hash);
  for (size_t d = 0;; ++d, ++i) {
    const uint64_t s = slots_[i];
    if (s == 0 || distance(s) < d) return npos;
    if (distance(s) == d && (s >> 56) == tag) {
      const std::string_view k = pointer(s)->key();
      if (k.size() == key.size() && std::memcmp(k.data(), key.data(), key.size()) == 0) return i;
    }
  }
}

uint64_t KeyTable::place(size_t from, uint64_t slot) {
  const size_t end = capacity_ + kMaxDistance + 1;
  for (size_t i = from; i < end; ++i) {
    const uint64_t s = slots_[i];
    if (s == 0) {
      slots_[i] = slot;
      return 0;
    }
    // Robin Hood: the key nearer its home gives way, so slots stay ordered by home.
    if (distance(s) < distance(slot)) {
      slots_[i] = slot;
      slot = s;
    }
    if (distance(slot) == kMaxDistance) return slot;
    slot += uint64_t{1} << 48;
  }
  return slot;
}

void KeyTable::insert(Record* r, uint64_t hash) {
  if ((size_ + 1) * 8 > capacity_ * 7) rebuild(capacity_ + capacity_ / 2, nullptr);
  const uint64_t left = place(home(hash), make_slot(r, 0, tag_of(hash)));
  // Some key (r or one it displaced) would sit too far from home: a larger table places
  // it. Seeded hashes make this all but impossible below 7/8 load.
  if (left != 0) rebuild(capacity_ * 2, pointer(left));
  ++size_;
}

Record* KeyTable::erase(size_t slot) {
  Record* r = pointer(slots_[slot]);
  const size_t end = capacity_ + kMaxDistance + 1;
  size_t i = slot;
  while (i + 1 < end && slots_[i + 1] != 0 && distance(slots_[i + 1]) != 0) {
    slots_[i] = slots_[i + 1] - (uint64_t{1} << 48);
    ++i;
  }
  slots_[i] = 0;
  --size_;
  if (capacity_ > kMinCapacity && size_ * 8 < capacity_) rebuild(size_ * 2, nullptr);
  return r;
}

uint64_t KeyTable::first_hash(size_t slot) const {
  const Uint128 top = static_cast<Uint128>(slot) << 64;
  return static_cast<uint64_t>((top + capacity_ - 1) / capacity_);
}

size_t KeyTable::sample(uint64_t random) const {
  if (size_ == 0) return npos;
  const size_t end = capacity_ + kMaxDistance + 1;
  size_t i = static_cast<size_t>(random % capacity_);
  for (;;) {
    if (slots_[i] != 0) return i;
    if (++i == end) i = 0;
  }
}

void KeyTable::rebuild(size_t capacity, Record* extra) {
  // Gathered in slot order, which is hash order: placing them in that order into the new
  // table mostly appends.
  std::vector<Record*> all;
  all.reserve(size_ + 1);
  const size_t old_end = capacity_ + kMaxDistance + 1;
  for (size_t i = 0; i < old_end; ++i) {
    if (slots_[i] != 0) all.push_back(pointer(slots_[i]));
  }
  if (extra != nullptr) all.push_back(extra);
  for (capacity = std::max(capacity, kMinCapacity);; capacity *= 2) {
    capacity_ = capacity;
    slots_ = std::make_unique<uint64_t[]>(capacity_ + kMaxDistance + 1);
    bool ok = true;
    for (Record* r : all) {
      const uint64_t h = hash(r->key());
      if (place(home(h), make_slot(r, 0, tag_of(h))) != 0) {
        ok = false;
        break;
      }
    }
    if (ok) return;
  }
}

}  // namespace weft::kv
