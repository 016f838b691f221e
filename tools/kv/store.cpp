#include "store.h"

namespace weft::kv {

Store::Store(uint64_t seed) : table_(seed), random_state_(seed | 1) {}

Store::~Store() {
  clear();
}

void Store::set_now(int64_t now_ms) {
  now_ms_ = now_ms;
  lru_clock_ = static_cast<uint32_t>(now_ms / 1000) & 0xffffff;
}

uint64_t Store::random() {
  uint64_t x = random_state_;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  random_state_ = x;
  return x * 0x2545f4914f6cdd1dull;
}

size_t Store::find(std::string_view key, uint64_t hash) {
  const size_t slot = table_.find(key, hash);
  if (slot == npos) return npos;
  Record* r = table_.at(slot);
  if (expired(r)) {
    erase(slot);
    ++expired_;
    return npos;
  }
  r->set_lru(lru_clock_);
  return slot;
}

void Store::index_expiry(Record* r) {
  r->set_expiry_slot(static_cast<uint32_t>(expires_.size()));
  expires_.push_back(r);
}

void Store::unindex_expiry(Record* r) {
  const uint32_t at = r->expiry_slot();
  Record* last = expires_.back();
  expires_[at] = last;
  last->set_expiry_slot(at);
  expires_.pop_back();
}

void Store::insert(Record* r, uint64_t hash) {
  r->set_lru(lru_clock_);
  table_.insert(r, hash);
  memory_ += static_cast<int64_t>(r->footprint());
  if (r->type() != Type::string) memory_ += static_cast<int64_t>(object_footprint(r->type(), r->object()));
  if (r->has_expiry()) index_expiry(r);
}

void Store::set_string(std::string_view key, uint64_t hash, size_t slot, std::string_view value, int64_t expire_at) {
  if (slot == npos) {
    insert(Record::make(key, Type::string, value, expire_at == kKeepExpiry ? Record::kNoExpiry : expire_at), hash);
    return;
  }
  Record* r = table_.at(slot);
  const int64_t expire = expire_at == kKeepExpiry ? r->expire_at() : expire_at;
  if (r->type() != Type::string) {
    erase(slot);
    insert(Record::make(key, Type::string, value, expire), hash);
    return;
  }
  const bool had = r->has_expiry();
  if (had && expire == Record::kNoExpiry) unindex_expiry(r);
  const size_t old_footprint = r->footprint();
  Record* moved = Record::with_value(r, value, expire);
  moved->set_lru(lru_clock_);
  table_.replace(slot, moved);
  memory_ += static_cast<int64_t>(moved->footprint()) - static_cast<int64_t>(old_footprint);
  if (moved->has_expiry()) {
    if (had) {
      expires_[moved->expiry_slot()] = moved;
    } else {
      index_expiry(moved);
    }
  }
}

void Store::replaced(size_t slot, Record* r, size_t old_footprint) {
  table_.replace(slot, r);
  memory_ += static_cast<int64_t>(r->footprint()) - static_cast<int64_t>(old_footprint);
  if (r->has_expiry()) expires_[r->expiry_slot()] = r;
}

void Store::free_record(Record* r) {
  if (r->has_expiry()) unindex_expiry(r);
  memory_ -= static_cast<int64_t>(r->footprint());
  if (r->type() != Type::string) {
    memory_ -= static_cast<int64_t>(object_footprint(r->type(), r->object()));
    destroy_object(r->type(), r->object());
  }
  Record::free(r);
}

void Store::erase(size_t slot) {
  free_record(table_.erase(slot));
}

Record* Store::take(size_t slot) {
  Record* r = table_.erase(slot);
  if (r->has_expiry()) unindex_expiry(r);
  memory_ -= static_cast<int64_t>(r->footprint());
  if (r->type() != Type::string) memory_ -= static_cast<int64_t>(object_footprint(r->type(), r->object()));
  return r;
}

size_t Store::random_slot() {
  // Expired keys met on the way are removed, as Redis's RANDOMKEY does; bounded so a store
  // of expired keys does not keep it busy.
  for (int tries = 0; tries < 100; ++tries) {
    const size_t slot = table_.sample(random());
    if (slot == npos) return npos;
    if (!expired(table_.at(slot))) return slot;
    erase(slot);
    ++expired_;
  }
  return npos;
}

void Store::set_expiry(size_t slot, int64_t expire_at) {
  Record* r = table_.at(slot);
  if (r->has_expiry() == (expire_at != Record::kNoExpiry)) {
    if (r->has_expiry()) Record::with_expiry(r, expire_at);  // Updated in place.
    return;
  }
  const size_t old_footprint = r->footprint();
  if (r->has_expiry()) unindex_expiry(r);
  Record* moved = Record::with_expiry(r, expire_at);
  table_.replace(slot, moved);
  memory_ += static_cast<int64_t>(moved->footprint()) - static_cast<int64_t>(old_footprint);
  if (moved->has_expiry()) index_expiry(moved);
}

void Store::clear() {
  expires_.clear();
  table_.clear([](Record* r) {
    if (r->type() != Type::string) destroy_object(r->type(), r->object());
    Record::free(r);
  });
  memory_ = 0;
}

size_t Store::memory() const {
  return static_cast<size_t>(memory_) + table_.footprint() + expires_.capacity() * sizeof(Record*);
}

}  // namespace weft::kv
