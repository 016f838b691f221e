#include "list.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace weft::kv {
namespace {

constexpr size_t kMinCapacity = 8;

}  // namespace

List::~List() {
  for (size_t i = 0; i < size_; ++i) slot(i).release();
  std::free(ring_);
}

void List::resize(size_t capacity) {
  auto* ring = static_cast<Str*>(std::malloc(capacity * sizeof(Str)));
  if (ring == nullptr) throw std::bad_alloc();
  // The elements, front first, in at most two runs.
  const size_t first = std::min(size_, capacity_ - head_);
  if (size_ != 0) {
    std::memcpy(static_cast<void*>(ring), ring_ + head_, first * sizeof(Str));
    std::memcpy(static_cast<void*>(ring + first), ring_, (size_ - first) * sizeof(Str));
  }
  std::free(ring_);
  ring_ = ring;
  capacity_ = capacity;
  head_ = 0;
}

void List::grow() {
  if (size_ == capacity_) resize(capacity_ == 0 ? kMinCapacity : capacity_ * 2);
}

void List::maybe_shrink() {
  if (size_ == 0) {
    std::free(ring_);
    ring_ = nullptr;
    capacity_ = head_ = 0;
  } else if (capacity_ > kMinCapacity && size_ * 4 <= capacity_) {
    resize(capacity_ / 2);
  }
}

void List::push_front(std::string_view s) {
  grow();
  const Str e = Str::make(s);
  heap_bytes_ += e.heap_footprint();
  head_ = (head_ + capacity_ - 1) & (capacity_ - 1);
  ring_[head_] = e;
  ++size_;
}

void List::push_back(std::string_view s) {
  grow();
  const Str e = Str::make(s);
  heap_bytes_ += e.heap_footprint();
  ring_[(head_ + size_) & (capacity_ - 1)] = e;
  ++size_;
}

void List::set(size_t i, std::string_view s) {
  Str& e = slot(i);
  heap_bytes_ -= e.heap_footprint();
  e.release();
  e = Str::make(s);
  heap_bytes_ += e.heap_footprint();
}

void List::pop_front(size_t n) {
  for (size_t i = 0; i < n && size_ != 0; ++i) {
    Str& e = ring_[head_];
    heap_bytes_ -= e.heap_footprint();
    e.release();
    head_ = (head_ + 1) & (capacity_ - 1);
    --size_;
  }
  maybe_shrink();
}

void List::pop_back(size_t n) {
  for (size_t i = 0; i < n && size_ != 0; ++i) {
    Str& e = slot(size_ - 1);
    heap_bytes_ -= e.heap_footprint();
    e.release();
    --size_;
  }
  maybe_shrink();
}

size_t List::remove(std::string_view s, size_t limit, bool from_back) {
  // Compacts the kept elements toward the end they are read from.
  size_t removed = 0;
  if (!from_back) {
    size_t out = 0;
    for (size_t in = 0; in < size_; ++in) {
      Str e = slot(in);
      if ((limit == 0 || removed < limit) && e == s) {
        heap_bytes_ -= e.heap_footprint();
        e.release();
        ++removed;
        continue;
      }
      slot(out++) = e;
    }
    size_ = out;
  } else {
    size_t out = size_;
    for (size_t in = size_; in-- > 0;) {
      Str e = slot(in);
      if ((limit == 0 || removed < limit) && e == s) {
        heap_bytes_ -= e.heap_footprint();
        e.release();
        ++removed;
        continue;
      }
      slot(--out) = e;
    }
    head_ = (head_ + out) & (capacity_ - 1);
    size_ -= out;
  }
  if (removed != 0) maybe_shrink();
  return removed;
}

}  // namespace weft::kv
