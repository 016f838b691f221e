#include "record.h"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace weft::kv {

size_t Record::size_for(size_t key, size_t value, bool expiry) {
  const bool wide = key > UINT16_MAX || value > UINT16_MAX;
  return (wide ? 12 : 8) + (expiry ? kExpiryBytes : 0) + key + value;
}

Record* Record::build(void* memory, std::string_view key, Type type, std::string_view value, int64_t expire_at) {
  char* p = static_cast<char*>(memory);
  const bool wide = key.size() > UINT16_MAX || value.size() > UINT16_MAX;
  const bool expiry = expire_at != kNoExpiry;
  const size_t at = (wide ? 12 : 8) + (expiry ? kExpiryBytes : 0);
  // The key first, with memmove: with_value rebuilds a record over its own bytes, and a
  // longer header would otherwise overwrite the key before it moved.
  std::memmove(p + at, key.data(), key.size());
  p[0] = static_cast<char>(static_cast<uint8_t>(type) | (wide ? kWide : 0) | (expiry ? kHasExpiry : 0));
  p[1] = p[2] = p[3] = 0;
  if (wide) {
    const auto k = static_cast<uint32_t>(key.size());
    const auto v = static_cast<uint32_t>(value.size());
    std::memcpy(p + 4, &k, 4);
    std::memcpy(p + 8, &v, 4);
  } else {
    const auto k = static_cast<uint16_t>(key.size());
    const auto v = static_cast<uint16_t>(value.size());
    std::memcpy(p + 4, &k, 2);
    std::memcpy(p + 6, &v, 2);
  }
  if (expiry) {
    std::memcpy(p + at - kExpiryBytes, &expire_at, 8);
    std::memset(p + at - kExpiryBytes + 8, 0, 4);
  }
  std::memcpy(p + at + key.size(), value.data(), value.size());
  return reinterpret_cast<Record*>(p);
}

Record* Record::make(std::string_view key, Type type, std::string_view value, int64_t expire_at) {
  void* memory = std::malloc(size_for(key.size(), value.size(), expire_at != kNoExpiry));
  if (memory == nullptr) throw std::bad_alloc();
  return build(memory, key, type, value, expire_at);
}

Record* Record::make_object(std::string_view key, Type type, void* object, int64_t expire_at) {
  return make(key, type, std::string_view(reinterpret_cast<const char*>(&object), sizeof object), expire_at);
}

void Record::free(Record* r) {
  std::free(r);
}

int64_t Record::expire_at() const {
  if (!has_expiry()) return kNoExpiry;
  int64_t t;
  std::memcpy(&t, bytes() + header_size(), 8);
  return t;
}

uint32_t Record::expiry_slot() const {
  uint32_t s;
  std::memcpy(&s, bytes() + header_size() + 8, 4);
  return s;
}

void Record::set_expiry_slot(uint32_t slot) {
  std::memcpy(bytes() + header_size() + 8, &slot, 4);
}

void* Record::object() const {
  void* o;
  std::memcpy(&o, value().data(), sizeof o);
  return o;
}

size_t Record::footprint() const {
  return malloc_usable_size(const_cast<Record*>(this)) + sizeof(size_t);
}

Record* Record::with_value(Record* r, std::string_view value, int64_t expire) {
  const uint32_t slot = r->has_expiry() ? r->expiry_slot() : 0;
  const uint32_t lru = r->lru();
  const std::string_view key = r->key();
  const size_t need = size_for(key.size(), value.size(), expire != kNoExpiry);
  Record* out;
  if (malloc_usable_size(r) >= need) {
    out = build(r, key, r->type(), value, expire);
  } else {
    void* memory = std::malloc(need);
    if (memory == nullptr) throw std::bad_alloc();
    out = build(memory, key, r->type(), value, expire);
    std::free(r);
  }
  if (expire != kNoExpiry) out->set_expiry_slot(slot);
  out->set_lru(lru);
  return out;
}

Record* Record::with_expiry(Record* r, int64_t expire_at) {
  if (r->has_expiry() && expire_at != kNoExpiry) {
    std::memcpy(r->bytes() + r->header_size(), &expire_at, 8);
    return r;
  }
  if (!r->has_expiry() && expire_at == kNoExpiry) return r;
  const uint32_t lru = r->lru();
  Record* out = make(r->key(), r->type(), r->value(), expire_at);
  out->set_lru(lru);
  std::free(r);
  return out;
}

Record* Record::renamed(Record* r, std::string_view key) {
  const uint32_t lru = r->lru();
  Record* out = make(key, r->type(), r->value(), r->expire_at());
  out->set_lru(lru);
  std::free(r);
  return out;
}

}  // namespace weft::kv
