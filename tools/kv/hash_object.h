#pragma once
// HashObject: a Redis hash. Small hashes (up to 128 fields, none longer than 64 bytes,
// Redis's listpack limits) are a vector of pairs kept in insertion order, so HGETALL
// answers in the order Redis gives for them; a larger one moves to a StrTable for good.
// Loop thread of the owning shard only.

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "small_string.h"
#include "str_table.h"

namespace weft::kv {

class HashObject {
 public:
  static constexpr size_t kSmallEntries = 128;
  static constexpr size_t kSmallValue = 64;

  HashObject() = default;
  ~HashObject();
  HashObject(const HashObject&) = delete;
  HashObject& operator=(const HashObject&) = delete;

  size_t size() const { return table_ ? table_->size() : small_.size(); }
  size_t footprint() const;

  // The value of `field`, or null.
  const Str* get(std::string_view field) const;
  // Sets a field; true if it was new.
  bool set(std::string_view field, std::string_view value);
  // Removes a field; true if it was there.
  bool erase(std::string_view field);

  // f(field, value) for every field.
  template <class F>
  void for_each(F&& f) const {
    if (table_) {
      table_->for_each([&](const auto& e) { f(e.key.view(), e.value.view()); });
    } else {
      for (const auto& [k, v] : small_) f(k.view(), v.view());
    }
  }

 private:
  void convert();

  std::vector<std::pair<Str, Str>> small_;
  std::unique_ptr<StrTable<Str>> table_;
  size_t heap_bytes_ = 0;
};

}  // namespace weft::kv
