#pragma once
// Inbound: the bytes a connection has received and not yet consumed.
//
//        kept chain (pooled blocks)                   the loop's read area (this read only)
//   [ consumed | unconsumed ] -> [ unconsumed ]  ++  [ fresh bytes ]
//   |<-- consumed_ counts from the chain's start, on into the fresh bytes -->
//
// Invariants:
// - Fresh bytes exist only while the connection is being dispatched (its on_traffic);
//   settle() then drops what was consumed and copies what was not into the kept chain,
//   because the next read reuses the read area. A read first tops up the kept chain's
//   last block, then fills the read area.
// - consume() never moves bytes: consumption is applied by settle(). Views handed out
//   (front, view, peek) therefore stay valid until the next inbound call on this
//   connection or the next read, whichever comes first.
// - The segment array behind view() and the join buffer behind peek() belong to this
//   connection (a Scratch borrowed from the loop while bytes are kept), so calls on other
//   connections never change what this connection's views show.
// - An idle connection (nothing kept, not dispatching) holds no block and no scratch.
// Loop thread only.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/block_pool.h"
#include "weft/core/detail/block_chain.h"
#include "weft/core/input_view.h"

namespace weft::detail {

// A connection's view-building space. The loop keeps spare ones, so borrowing is cheap.
struct InboundScratch {
  std::vector<std::string_view> segments;
  std::string joined;
  InboundScratch* next_free = nullptr;
};

class ScratchPool {
 public:
  ScratchPool() = default;
  ~ScratchPool();
  ScratchPool(const ScratchPool&) = delete;
  ScratchPool& operator=(const ScratchPool&) = delete;
  InboundScratch* take();
  void give_back(InboundScratch* s);

 private:
  InboundScratch* free_ = nullptr;
  size_t free_count_ = 0;
};

// What a loop lends every connection it reads for: the read area, which holds the fresh
// bytes of the connection being dispatched, and spare scratch.
struct ReadArea {
  ReadArea(std::span<char> a, BlockPool& p) : area(a), pool(p) {}
  std::span<char> area;
  BlockPool& pool;
  ScratchPool scratch;
};

class Inbound {
 public:
  Inbound() = default;
  // The owner clears it (with its ReadArea) before destroying it.
  ~Inbound() = default;
  Inbound(const Inbound&) = delete;
  Inbound& operator=(const Inbound&) = delete;

  size_t size() const { return kept_.size() + fresh_ - consumed_; }
  size_t kept() const { return kept_.size(); }

  // The first contiguous run of unconsumed bytes (all of them unless they span blocks).
  std::string_view front(const ReadArea& ra) const {
    if (consumed_ >= kept_.size()) {  // Everything unconsumed is in the read area: the usual case.
      size_t at = consumed_ - kept_.size();
      return {ra.area.data() + at, fresh_ - at};
    }
    return kept_front();
  }
  // Every unconsumed byte, without copying.
  InputView view(ReadArea& ra);
  // The first min(n, size()) bytes as one view, joined into the scratch if they span.
  std::string_view peek(size_t n, ReadArea& ra) {
    std::string_view run = front(ra);
    if (n <= run.size()) return {run.data(), n};
    if (run.size() == size()) return run;
    return join(n, ra);
  }
  // Consumes up to n bytes; returns how many.
  size_t consume(size_t n) {
    size_t left = size();
    if (n > left) n = left;
    consumed_ += static_cast<uint32_t>(n);
    return n;
  }
  // True if bytes lie within this read's fresh bytes (an echo of what just arrived).
  bool in_fresh(std::string_view bytes, const ReadArea& ra) const {
    return bytes.data() >= ra.area.data() && bytes.data() + bytes.size() <= ra.area.data() + fresh_;
  }

  // --- reading, for the connection ---
  // Free space at the end of the kept chain's last block (empty when nothing is kept).
  std::span<char> tail_space() { return kept_.tail_space(); }
  // A read put into_tail bytes into tail_space() and `fresh` more at the start of the
  // read area.
  void received(size_t into_tail, size_t fresh) {
    if (into_tail != 0) kept_.commit(into_tail);
    fresh_ = static_cast<uint32_t>(fresh);
  }
  // After dispatch: applies consumption and keeps what is left of the fresh bytes.
  // Returns true if bytes are kept.
  bool settle(ReadArea& ra) {
    if (kept_.empty() && consumed_ >= fresh_) {  // All consumed: the usual case.
      fresh_ = 0;
      consumed_ = 0;
      return false;
    }
    settle_slow(ra);
    return !kept_.empty();
  }
  // Drops every byte (a connection that closes or lingers).
  void clear(ReadArea& ra);

 private:
  void settle_slow(ReadArea& ra);
  std::string_view kept_front() const;
  std::string_view join(size_t n, ReadArea& ra);
  InboundScratch& scratch(ReadArea& ra);
  std::string_view fresh(const ReadArea& ra) const { return {ra.area.data(), fresh_}; }

  BlockChain kept_;
  InboundScratch* scratch_ = nullptr;
  // Counts fit 32 bits: reads are at most the read area, and kept bytes at most
  // max_inbound (validated to 2 GiB).
  uint32_t fresh_ = 0;     // Bytes of this read at the start of the read area.
  uint32_t consumed_ = 0;  // From the start of the kept chain on into the fresh bytes.
};

}  // namespace weft::detail
