#pragma once
// SharedBytes: an immutable, reference-counted run of bytes. Writing one value to many
// connections (a broadcast) queues a reference on each of them, not a copy; the bytes are
// freed once the last connection has sent them and the last SharedBytes value is gone.
//
//   weft::SharedBytes msg = weft::SharedBytes::copy_of("hello\n");  // one copy, here
//   for (weft::ConnHandle& h : room) h.send(msg);                   // none per receiver
//
// Values are cheap to copy (one atomic increment) and may be passed between threads; the
// bytes never change after construction. A default-constructed value is empty.

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

namespace weft {

class SharedBytes {
 public:
  SharedBytes() = default;
  // Copies bytes once into a new shared buffer.
  static SharedBytes copy_of(std::string_view bytes);
  // Takes the string's contents without copying them.
  static SharedBytes adopt(std::string&& bytes);

  SharedBytes(const SharedBytes& other) noexcept : rep_(other.rep_) {
    if (rep_ != nullptr) rep_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  SharedBytes(SharedBytes&& other) noexcept : rep_(other.rep_) { other.rep_ = nullptr; }
  SharedBytes& operator=(SharedBytes other) noexcept {
    std::swap(rep_, other.rep_);
    return *this;
  }
  ~SharedBytes() { reset(); }

  std::string_view view() const { return rep_ != nullptr ? std::string_view(rep_->bytes) : std::string_view(); }
  size_t size() const { return rep_ != nullptr ? rep_->bytes.size() : 0; }
  bool empty() const { return size() == 0; }
  // How many values (and queued sends) share these bytes; for tests and diagnostics.
  size_t use_count() const { return rep_ != nullptr ? rep_->refs.load(std::memory_order_relaxed) : 0; }
  void reset() noexcept;

 private:
  struct Rep {
    std::atomic<size_t> refs{1};
    std::string bytes;
  };
  explicit SharedBytes(Rep* rep) : rep_(rep) {}
  Rep* rep_ = nullptr;
};

}  // namespace weft
