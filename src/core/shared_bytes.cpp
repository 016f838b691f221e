#include "weft/core/shared_bytes.h"

namespace weft {

SharedBytes SharedBytes::copy_of(std::string_view bytes) { return adopt(std::string(bytes)); }

SharedBytes SharedBytes::adopt(std::string&& bytes) {
  Rep* rep = new Rep();
  rep->bytes = std::move(bytes);
  return SharedBytes(rep);
}

void SharedBytes::reset() noexcept {
  // acq_rel: the thread that frees the bytes sees every other thread's last use of them.
  if (rep_ != nullptr && rep_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete rep_;
  rep_ = nullptr;
}

}  // namespace weft
