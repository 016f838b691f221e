#include "weft/core/input_view.h"

#include <algorithm>
#include <cstring>

#include "core/needle_search.h"

namespace weft {

InputView::InputView(std::span<const std::string_view> segments) : segments_(segments) {
  for (std::string_view s : segments) size_ += s.size();
  if (segments.size() == 1) {
    single_ = segments[0];
    segments_ = {};
  }
}

char InputView::at(size_t i) const {
  char c = 0;
  copy_to(i, 1, &c);
  return c;
}

size_t InputView::copy_to(size_t offset, size_t n, char* out) const {
  if (offset >= size_) return 0;
  n = std::min(n, size_ - offset);
  if (segments_.empty()) {
    std::memcpy(out, single_.data() + offset, n);
    return n;
  }
  size_t pos = offset + skip_;
  size_t copied = 0;
  for (std::string_view s : segments_) {
    if (copied == n) break;
    if (pos >= s.size()) {
      pos -= s.size();
      continue;
    }
    size_t take = std::min(s.size() - pos, n - copied);
    std::memcpy(out + copied, s.data() + pos, take);
    copied += take;
    pos = 0;
  }
  return copied;
}

size_t InputView::find(char c, size_t from) const {
  if (from >= size_) return npos;
  if (segments_.empty()) {
    const void* hit = std::memchr(single_.data() + from, c, size_ - from);
    return hit == nullptr ? npos : static_cast<size_t>(static_cast<const char*>(hit) - single_.data());
  }
  size_t pos = from + skip_;  // Position within the current segment.
  size_t base = 0;            // Offset (in view terms) of the current segment's start.
  for (std::string_view s : segments_) {
    if (pos >= s.size()) {
      pos -= s.size();
      base += s.size();
      continue;
    }
    const void* hit = std::memchr(s.data() + pos, c, s.size() - pos);
    if (hit != nullptr) {
      return base + static_cast<size_t>(static_cast<const char*>(hit) - s.data()) - skip_;
    }
    base += s.size();
    pos = 0;
  }
  return npos;
}

size_t InputView::find(std::string_view needle, size_t from) const {
  if (needle.empty()) return from <= size_ ? from : npos;
  if (from >= size_ || needle.size() > size_ - from) return npos;
  if (needle.size() == 1) return find(needle[0], from);
  detail::NoSearchProbe probe;
  if (segments_.empty()) {
    const std::string_view one[1] = {single_};
    return detail::find_in_segments(std::span<const std::string_view>(one), 0, needle, from, probe);
  }
  return detail::find_in_segments(segments_, skip_, needle, from, probe);
}

std::string_view InputView::contiguous(size_t offset, size_t n) const {
  if (offset > size_ || n > size_ - offset) return {};
  if (segments_.empty()) return single_.substr(offset, n);
  size_t pos = offset + skip_;
  for (std::string_view s : segments_) {
    if (pos < s.size() || (n == 0 && pos == s.size())) {
      if (s.size() - pos >= n) return s.substr(pos, n);
      return {};
    }
    pos -= s.size();
  }
  return {};
}

std::string_view InputView::slice(size_t offset, size_t n, std::string& storage) const {
  std::string_view v = contiguous(offset, n);
  if (v.data() != nullptr || n == 0) return v.data() != nullptr ? v : std::string_view();
  storage.resize(n);
  copy_to(offset, n, storage.data());
  return storage;
}

InputView InputView::subview(size_t offset) const {
  InputView v = *this;
  offset = std::min(offset, size_);
  v.size_ -= offset;
  if (segments_.empty()) {
    v.single_ = single_.substr(offset);
    return v;
  }
  // Drop whole segments so later calls do not walk them again; skip_ stays within the
  // first remaining segment.
  size_t skip = skip_ + offset;
  size_t first = 0;
  while (first < segments_.size() && skip >= segments_[first].size() && (skip > 0 || segments_[first].empty())) {
    skip -= segments_[first].size();
    ++first;
  }
  v.segments_ = segments_.subspan(first);
  v.skip_ = skip;
  return v;
}

std::string_view InputView::segment(size_t i) const {
  if (segments_.empty()) return single_;
  return i == 0 ? segments_[0].substr(std::min(skip_, segments_[0].size())) : segments_[i];
}

}  // namespace weft
