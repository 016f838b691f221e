#pragma once
// Helpers shared by the command families.

#include <cstdint>
#include <optional>
#include <string_view>

#include "command.h"
#include "errors.h"
#include "numbers.h"
#include "shard.h"
#include "store.h"

namespace weft::kv {

// Looks a key up for reading. Returns its record, or null when it is missing (a miss) or
// holds another type (then WRONGTYPE was replied and *wrong is set).
inline Record* read_key(Ctx& c, std::string_view key, Type type, bool* wrong) {
  const size_t slot = c.store.find(key);
  if (slot == Store::npos) {
    Shard::bump(c.shard.misses);
    return nullptr;
  }
  Record* r = c.store.at(slot);
  if (r->type() != type) {
    c.out.error(err::kWrongType);
    *wrong = true;
    return nullptr;
  }
  Shard::bump(c.shard.hits);
  return r;
}

// An integer argument, or the error reply (with the given text) and nullopt.
inline std::optional<int64_t> int_arg(Ctx& c, std::string_view arg, std::string_view error = err::kNotInteger) {
  std::optional<int64_t> v = parse_int(arg);
  if (!v) c.out.error(error);
  return v;
}

}  // namespace weft::kv

namespace weft::kv {

// A container key looked up for a command: its object (null when absent), its slot, and
// whether it held another type (WRONGTYPE was then replied).
template <class T>
struct Opened {
  T* object = nullptr;
  size_t slot = Store::npos;
  bool wrong_type = false;
};

// Looks up key as a container of `type`. With `create`, an absent key gets a new, empty
// container (its slot is then npos: a new key is never emptied by the command making it).
template <class T>
Opened<T> open_object(Ctx& c, std::string_view key, Type type, bool create, bool count_hit = false) {
  Opened<T> o;
  const uint64_t h = c.store.hash(key);
  o.slot = c.store.find(key, h);
  if (o.slot != Store::npos) {
    Record* r = c.store.at(o.slot);
    if (r->type() != type) {
      c.out.error(err::kWrongType);
      o.wrong_type = true;
      return o;
    }
    if (count_hit) Shard::bump(c.shard.hits);
    o.object = static_cast<T*>(r->object());
    return o;
  }
  if (count_hit) Shard::bump(c.shard.misses);
  if (create) {
    o.object = new T();
    c.store.insert(Record::make_object(key, type, o.object), h);
  }
  return o;
}

// After a change to key's container: accounts the bytes it gained or lost, and deletes the
// key when the container is now empty, as Redis never keeps an empty one.
template <class T>
void changed(Ctx& c, std::string_view key, const Opened<T>& o, size_t footprint_before) {
  c.store.adjust_memory(static_cast<int64_t>(o.object->footprint()) - static_cast<int64_t>(footprint_before));
  if (o.object->size() == 0) c.store.erase(o.slot != Store::npos ? o.slot : c.store.find(key));
}

}  // namespace weft::kv
