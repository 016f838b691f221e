#pragma once
// SetObject: a Redis set, a StrTable of members. Random members (SPOP, SRANDMEMBER) come
// from a random slot, probing forward, as Redis's dict does. Loop thread of the owning
// shard only.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "small_string.h"
#include "str_table.h"

namespace weft::kv {

class SetObject {
 public:
  SetObject() = default;
  ~SetObject();
  SetObject(const SetObject&) = delete;
  SetObject& operator=(const SetObject&) = delete;

  size_t size() const { return table_.size(); }
  size_t footprint() const { return sizeof(SetObject) + table_.footprint() + heap_bytes_; }

  bool contains(std::string_view member) const { return table_.find(member) != nullptr; }
  // True if the member was added (not there yet).
  bool add(std::string_view member);
  // True if the member was removed.
  bool remove(std::string_view member);
  // A member chosen from a random number; the set must not be empty. Valid until the next
  // change.
  std::string_view random_member(uint64_t random) const { return table_.random_entry(random)->key.view(); }

  template <class F>
  void for_each(F&& f) const {
    table_.for_each([&](const auto& e) { f(e.key.view()); });
  }

 private:
  struct Unit {};
  StrTable<Unit> table_;
  size_t heap_bytes_ = 0;
};

}  // namespace weft::kv
