#pragma once
// Record: one key and its value in one allocation, so a small string key costs a single
// malloc chunk and nothing else:
//
//   [header: 8 bytes, or 12 when a length needs more than 16 bits]
//   [expiry: 12 bytes, only with a TTL: unix time in ms, position in the expiry index]
//   [key bytes][value bytes]
//
//   header byte 0   type (3 bits), wide lengths, has TTL
//   bytes 1..3      LRU clock (seconds, 24 bits, wrapping like Redis's)
//   then            key length, value length (u16 each, or u32 each when wide)
//
// A string's value bytes follow the key; any other type stores a pointer to its container
// (8 bytes) there. Records are plain malloc memory: the shard owning the key owns its
// record, and a record may be handed to another shard (RENAME across loops).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace weft::kv {

enum class Type : uint8_t { string = 0, list = 1, hash = 2, set = 3, zset = 4 };

// The class has no members: a Record* points at the first byte of its allocation.
class Record {
 public:
  static constexpr int64_t kNoExpiry = -1;

  // A new record, value copied in. For containers, value is the 8 bytes of the pointer.
  static Record* make(std::string_view key, Type type, std::string_view value, int64_t expire_at = kNoExpiry);
  // A container record holding `object`.
  static Record* make_object(std::string_view key, Type type, void* object, int64_t expire_at = kNoExpiry);
  // Frees the record (not its container: the store destroys that first).
  static void free(Record* r);

  // The record with its string value and expiry replaced (kNoExpiry for none); reuses the
  // allocation when it is large enough, else returns a new one and frees r. The expiry
  // index position is kept when r had an expiry too.
  static Record* with_value(Record* r, std::string_view value, int64_t expire_at);
  // The record with a different expiry (kNoExpiry to remove it); may move.
  static Record* with_expiry(Record* r, int64_t expire_at);
  // A copy of r under another key (the container pointer moves to it); frees r.
  static Record* renamed(Record* r, std::string_view key);

  Type type() const { return static_cast<Type>(b0() & kTypeMask); }
  bool has_expiry() const { return (b0() & kHasExpiry) != 0; }
  int64_t expire_at() const;  // kNoExpiry without one.
  uint32_t expiry_slot() const;
  void set_expiry_slot(uint32_t slot);

  std::string_view key() const { return {bytes() + key_offset(), key_size()}; }
  std::string_view value() const { return {bytes() + key_offset() + key_size(), value_size()}; }
  // For strings: the value bytes, writable in place (same length).
  char* value_data() { return bytes() + key_offset() + key_size(); }
  void* object() const;

  uint32_t lru() const {
    return static_cast<uint32_t>(cb(1)) | static_cast<uint32_t>(cb(2)) << 8 | static_cast<uint32_t>(cb(3)) << 16;
  }
  void set_lru(uint32_t clock) {
    bytes()[1] = static_cast<char>(clock);
    bytes()[2] = static_cast<char>(clock >> 8);
    bytes()[3] = static_cast<char>(clock >> 16);
  }

  // Bytes of memory the record occupies (its malloc chunk).
  size_t footprint() const;

 private:
  static constexpr uint8_t kTypeMask = 0x07;
  static constexpr uint8_t kWide = 0x08;
  static constexpr uint8_t kHasExpiry = 0x10;
  static constexpr size_t kExpiryBytes = 12;

  static size_t size_for(size_t key, size_t value, bool expiry);
  static Record* build(void* memory, std::string_view key, Type type, std::string_view value, int64_t expire_at);

  char* bytes() { return reinterpret_cast<char*>(this); }
  const char* bytes() const { return reinterpret_cast<const char*>(this); }
  uint8_t cb(size_t i) const { return static_cast<uint8_t>(bytes()[i]); }
  uint8_t b0() const { return cb(0); }
  bool wide() const { return (b0() & kWide) != 0; }
  size_t header_size() const { return wide() ? 12 : 8; }
  size_t key_offset() const { return header_size() + (has_expiry() ? kExpiryBytes : 0); }
  size_t key_size() const {
    if (wide()) {
      uint32_t n;
      std::memcpy(&n, bytes() + 4, 4);
      return n;
    }
    uint16_t n;
    std::memcpy(&n, bytes() + 4, 2);
    return n;
  }
  size_t value_size() const {
    if (wide()) {
      uint32_t n;
      std::memcpy(&n, bytes() + 8, 4);
      return n;
    }
    uint16_t n;
    std::memcpy(&n, bytes() + 6, 2);
    return n;
  }
};

}  // namespace weft::kv
