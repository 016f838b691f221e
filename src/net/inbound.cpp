#include "weft/net/detail/inbound.h"

#include <algorithm>

namespace weft::detail {
namespace {

constexpr size_t kMaxSpareScratch = 64;
// A join buffer grown past this by one large peek is not kept for the next borrower.
constexpr size_t kMaxKeptJoin = 64 * 1024;

}  // namespace

ScratchPool::~ScratchPool() {
  while (free_ != nullptr) {
    InboundScratch* next = free_->next_free;
    delete free_;
    free_ = next;
  }
}

InboundScratch* ScratchPool::take() {
  if (free_ == nullptr) return new InboundScratch();
  InboundScratch* s = free_;
  free_ = s->next_free;
  --free_count_;
  return s;
}

void ScratchPool::give_back(InboundScratch* s) {
  if (free_count_ >= kMaxSpareScratch) {
    delete s;
    return;
  }
  s->segments.clear();
  if (s->joined.capacity() > kMaxKeptJoin) std::string().swap(s->joined);
  s->next_free = free_;
  free_ = s;
  ++free_count_;
}

InboundScratch& Inbound::scratch(ReadArea& ra) {
  if (scratch_ == nullptr) scratch_ = ra.scratch.take();
  return *scratch_;
}

std::string_view Inbound::kept_front() const {
  // The run that starts consumed_ bytes into the chain ends with the block it starts in.
  size_t skip = consumed_;
  std::string_view run;
  kept_.for_each_segment([&](std::string_view s) {
    if (skip < s.size()) {
      run = s.substr(skip);
      return false;
    }
    skip -= s.size();
    return true;
  });
  return run;
}

InputView Inbound::view(ReadArea& ra) {
  if (kept_.empty()) return InputView(fresh(ra).substr(std::min<size_t>(consumed_, fresh_)));
  std::vector<std::string_view>& segs = scratch(ra).segments;
  segs.clear();
  kept_.segments(segs);
  if (fresh_ != 0) segs.push_back(fresh(ra));
  return InputView(std::span<const std::string_view>(segs)).subview(consumed_);
}

// The range spans blocks, or blocks and the read area: it is joined into one piece.
std::string_view Inbound::join(size_t n, ReadArea& ra) {
  n = std::min(n, size());
  InputView all = view(ra);
  std::string& joined = scratch(ra).joined;
  joined.resize(n);
  all.copy_to(0, n, joined.data());
  return {joined.data(), n};
}

void Inbound::settle_slow(ReadArea& ra) {
  if (consumed_ >= kept_.size()) {
    size_t from_fresh = consumed_ - kept_.size();
    kept_.clear(ra.pool);
    if (from_fresh < fresh_) kept_.append(ra.pool, fresh(ra).substr(from_fresh));
  } else {
    kept_.consume(ra.pool, consumed_);
    if (fresh_ != 0) kept_.append(ra.pool, fresh(ra));
  }
  fresh_ = 0;
  consumed_ = 0;
  if (kept_.empty() && scratch_ != nullptr) {
    ra.scratch.give_back(scratch_);
    scratch_ = nullptr;
  }
}

void Inbound::clear(ReadArea& ra) {
  kept_.clear(ra.pool);
  fresh_ = 0;
  consumed_ = 0;
  if (scratch_ != nullptr) {
    ra.scratch.give_back(scratch_);
    scratch_ = nullptr;
  }
}

}  // namespace weft::detail
