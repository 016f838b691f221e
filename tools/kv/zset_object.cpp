#include "zset_object.h"

#include <cstring>

namespace weft::kv {
namespace {

// entry < (score, member) in Redis's order.
bool entry_less(const ZEntry& e, double score, std::string_view member) {
  return e.score < score || (e.score == score && e.member.view() < member);
}

}  // namespace

ZIndex::~ZIndex() {
  for (Block* b : blocks_) {
    for (size_t i = 0; i < b->n; ++i) b->e[i].member.release();
    delete b;
  }
}

bool ZIndex::less(double score, std::string_view member, const ZEntry& e) {
  return score < e.score || (score == e.score && member < e.member.view());
}

ZIndex::Pos ZIndex::locate(double score, std::string_view member) const {
  size_t lo = 0;
  size_t hi = blocks_.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    const Block* b = blocks_[mid];
    if (entry_less(b->e[b->n - 1], score, member)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == blocks_.size()) return lo == 0 ? Pos{0, 0} : Pos{lo - 1, blocks_[lo - 1]->n};
  const Block* b = blocks_[lo];
  size_t a = 0;
  size_t z = b->n;
  while (a < z) {
    const size_t mid = (a + z) / 2;
    if (entry_less(b->e[mid], score, member)) {
      a = mid + 1;
    } else {
      z = mid;
    }
  }
  return {lo, a};
}

void ZIndex::insert(double score, Str member) {
  if (blocks_.empty()) {
    blocks_.push_back(new Block{1, {ZEntry{score, member}}});
    size_ = 1;
    return;
  }
  Pos p = locate(score, member.view());
  Block* b = blocks_[p.block];
  if (b->n == kBlock) {
    // Split: the upper half goes to a new block after this one.
    auto* upper = new Block{kBlock / 2, {}};
    std::memcpy(static_cast<void*>(upper->e), b->e + kBlock / 2, (kBlock / 2) * sizeof(ZEntry));
    b->n = kBlock / 2;
    blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(p.block) + 1, upper);
    if (p.offset > kBlock / 2) {
      p.offset -= kBlock / 2;
      b = upper;
    }
  }
  std::memmove(static_cast<void*>(b->e + p.offset + 1), b->e + p.offset, (b->n - p.offset) * sizeof(ZEntry));
  b->e[p.offset] = ZEntry{score, member};
  ++b->n;
  ++size_;
}

Str ZIndex::erase(double score, std::string_view member) {
  const Pos p = locate(score, member);
  Block* b = blocks_[p.block];
  const Str out = b->e[p.offset].member;
  std::memmove(static_cast<void*>(b->e + p.offset), b->e + p.offset + 1, (b->n - p.offset - 1) * sizeof(ZEntry));
  --b->n;
  --size_;
  if (b->n == 0) {
    drop_block(p.block);
  } else if (b->n < kBlock / 4 && p.block + 1 < blocks_.size() && b->n + blocks_[p.block + 1]->n <= kBlock / 2) {
    // A sparse block takes in its neighbour, so a rank walks few blocks.
    Block* next = blocks_[p.block + 1];
    std::memcpy(static_cast<void*>(b->e + b->n), next->e, next->n * sizeof(ZEntry));
    b->n += next->n;
    next->n = 0;
    drop_block(p.block + 1);
  }
  return out;
}

void ZIndex::drop_block(size_t i) {
  delete blocks_[i];
  blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(i));
}

size_t ZIndex::rank(double score, std::string_view member) const {
  return rank_of(locate(score, member));
}

ZIndex::Pos ZIndex::pos_of(size_t rank) const {
  for (size_t b = 0; b < blocks_.size(); ++b) {
    if (rank < blocks_[b]->n) return {b, rank};
    rank -= blocks_[b]->n;
  }
  return {blocks_.size(), 0};
}

size_t ZIndex::rank_of(Pos p) const {
  size_t r = p.offset;
  for (size_t b = 0; b < p.block && b < blocks_.size(); ++b) r += blocks_[b]->n;
  return r;
}

void ZIndex::next(Pos& p) const {
  if (++p.offset < blocks_[p.block]->n) return;
  ++p.block;
  p.offset = 0;
}

void ZIndex::prev(Pos& p) const {
  if (p.offset > 0) {
    --p.offset;
  } else if (p.block > 0) {
    --p.block;
    p.offset = blocks_[p.block]->n - 1;
  } else {
    p.block = blocks_.size();  // Before the first: invalid.
  }
}

ZIndex::Pos ZIndex::last() const {
  if (blocks_.empty()) return {0, 0};
  return {blocks_.size() - 1, blocks_.back()->n - 1};
}

ZIndex::Pos ZIndex::first_from(double min, bool exclusive) const {
  auto before = [&](const ZEntry& e) { return exclusive ? e.score <= min : e.score < min; };
  size_t lo = 0;
  size_t hi = blocks_.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (before(blocks_[mid]->e[blocks_[mid]->n - 1])) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == blocks_.size()) return {lo, 0};
  const Block* b = blocks_[lo];
  size_t i = 0;
  while (before(b->e[i])) ++i;
  return {lo, i};
}

ZIndex::Pos ZIndex::last_until(double max, bool exclusive) const {
  // One before the first entry past max.
  auto within = [&](const ZEntry& e) { return exclusive ? e.score < max : e.score <= max; };
  size_t lo = 0;
  size_t hi = blocks_.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (within(blocks_[mid]->e[blocks_[mid]->n - 1])) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  Pos p;
  if (lo == blocks_.size()) {
    p = {lo, 0};
  } else {
    const Block* b = blocks_[lo];
    size_t i = 0;
    while (within(b->e[i])) ++i;
    p = {lo, i};
  }
  // p is the first entry past max; step back one.
  if (p.block == blocks_.size()) return last();
  prev(p);
  return p;
}

std::optional<double> ZSetObject::score(std::string_view member) const {
  const auto* e = dict_.find(member);
  if (e == nullptr) return std::nullopt;
  return e->value;
}

bool ZSetObject::set(std::string_view member, double score) {
  const uint64_t h = StrTable<double>::hash(member);
  if (auto* e = dict_.find(member, h)) {
    if (e->value == score) return false;
    const Str m = index_.erase(e->value, member);
    index_.insert(score, m);
    e->value = score;
    return false;
  }
  const Str m = Str::make(member);
  heap_bytes_ += m.heap_footprint();
  index_.insert(score, m);
  dict_.insert(m, h)->value = score;
  return true;
}

bool ZSetObject::remove(std::string_view member) {
  auto* e = dict_.find(member);
  if (e == nullptr) return false;
  const double s = e->value;
  dict_.erase(e);
  Str m = index_.erase(s, member);
  heap_bytes_ -= m.heap_footprint();
  m.release();
  return true;
}

std::optional<size_t> ZSetObject::rank(std::string_view member, bool reverse) const {
  const auto* e = dict_.find(member);
  if (e == nullptr) return std::nullopt;
  const size_t r = index_.rank(e->value, member);
  return reverse ? index_.size() - 1 - r : r;
}

}  // namespace weft::kv
