#include "weft/core/buffer.h"

namespace weft {

std::string Buffer::to_string() const {
  std::string s(size(), '\0');
  copy_to(0, size(), s.data());
  return s;
}

}  // namespace weft
