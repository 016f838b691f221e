#pragma once
// InputView is a read-only view of buffered bytes that may lie in several segments (the
// blocks of a chain plus the loop's read area). Codecs decode from it without copying.
// It does not own the bytes: it is valid only as long as the memory it views, which for
// Conn::inbound() means until the callback that produced it returns.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace weft {

class InputView {
 public:
  static constexpr size_t npos = std::string_view::npos;

  InputView() = default;
  explicit InputView(std::string_view single) : single_(single), size_(single.size()) {}
  // The segment array must outlive the view. Empty segments are allowed.
  explicit InputView(std::span<const std::string_view> segments);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The byte at offset i (i < size()).
  char at(size_t i) const;

  // Copies up to n bytes starting at offset into out; returns how many were copied.
  size_t copy_to(size_t offset, size_t n, char* out) const;

  // Offset of the first occurrence of needle at or after from, or npos. Linear in the bytes
  // searched, whatever the input and however it is split; no allocation for needles up to
  // 64 bytes.
  size_t find(std::string_view needle, size_t from = 0) const;
  size_t find(char c, size_t from = 0) const;

  // The bytes [offset, offset + n) as one view if they lie in a single segment; otherwise
  // an empty view with data() == nullptr (then use copy_to).
  std::string_view contiguous(size_t offset, size_t n) const;

  // A view of [offset, offset + n): contiguous when possible, else copied into storage.
  std::string_view slice(size_t offset, size_t n, std::string& storage) const;

  // The suffix starting at offset as a new view sharing the same segments.
  InputView subview(size_t offset) const;

  // The bytes segment by segment (segment 0 may be empty).
  size_t segment_count() const { return segments_.empty() ? 1 : segments_.size(); }
  std::string_view segment(size_t i) const;

 private:
  std::span<const std::string_view> segments_;
  std::string_view single_;
  size_t size_ = 0;
  size_t skip_ = 0;  // Bytes of the segments hidden by subview().
};

}  // namespace weft
