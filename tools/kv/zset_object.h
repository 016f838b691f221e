#pragma once
// ZSetObject: a Redis sorted set. Members map to scores in a StrTable (ZSCORE, ZADD's
// lookups); the order lives in a ZIndex, a list of sorted blocks of up to 128
// (score, member) entries: an insert moves at most one block's entries, a rank sums the
// block sizes before it. Entries are ordered by score, then by member bytes, as Redis
// orders them. The index owns the members' bytes; the table holds copies of the same Strs.
// Loop thread of the owning shard only.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "small_string.h"
#include "str_table.h"

namespace weft::kv {

struct ZEntry {
  double score;
  Str member;
};

class ZIndex {
 public:
  static constexpr size_t kBlock = 128;

  struct Pos {
    size_t block = 0;
    size_t offset = 0;
  };

  ZIndex() = default;
  ~ZIndex();
  ZIndex(const ZIndex&) = delete;
  ZIndex& operator=(const ZIndex&) = delete;

  size_t size() const { return size_; }
  size_t footprint() const { return blocks_.capacity() * sizeof(Block*) + blocks_.size() * sizeof(Block); }

  // Adds an entry that is not there; the index owns `member` from now on.
  void insert(double score, Str member);
  // Removes an entry that is there and gives its member back to the caller.
  Str erase(double score, std::string_view member);
  // Zero-based position of an entry that is there.
  size_t rank(double score, std::string_view member) const;

  Pos begin() const { return {}; }
  bool valid(Pos p) const { return p.block < blocks_.size(); }
  const ZEntry& at(Pos p) const { return blocks_[p.block]->e[p.offset]; }
  Pos pos_of(size_t rank) const;
  size_t rank_of(Pos p) const;
  // Steps forward or back; an invalid Pos past either end.
  void next(Pos& p) const;
  void prev(Pos& p) const;
  Pos last() const;
  // The first entry with score above `min` (or at it, unless exclusive); invalid if none.
  Pos first_from(double min, bool exclusive) const;
  // The last entry with score below `max` (or at it, unless exclusive); invalid if none.
  Pos last_until(double max, bool exclusive) const;

 private:
  struct Block {
    size_t n;
    ZEntry e[kBlock];
  };
  static bool less(double score, std::string_view member, const ZEntry& e);
  // The block an entry belongs in, and its offset there (lower bound).
  Pos locate(double score, std::string_view member) const;
  void drop_block(size_t b);

  std::vector<Block*> blocks_;
  size_t size_ = 0;
};

class ZSetObject {
 public:
  ZSetObject() = default;
  ~ZSetObject() = default;
  ZSetObject(const ZSetObject&) = delete;
  ZSetObject& operator=(const ZSetObject&) = delete;

  size_t size() const { return dict_.size(); }
  size_t footprint() const { return sizeof(ZSetObject) + dict_.footprint() + index_.footprint() + heap_bytes_; }

  std::optional<double> score(std::string_view member) const;
  // Adds a member or changes its score. Returns true if it was new.
  bool set(std::string_view member, double score);
  bool remove(std::string_view member);
  // Rank from the lowest score (or the highest, reverse); nullopt if absent.
  std::optional<size_t> rank(std::string_view member, bool reverse) const;

  const ZIndex& index() const { return index_; }

 private:
  StrTable<double> dict_;
  ZIndex index_;
  size_t heap_bytes_ = 0;
};

}  // namespace weft::kv
