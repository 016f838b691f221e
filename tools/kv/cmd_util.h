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
