#include "hash.h"

#include <random>

namespace weft::kv {

uint64_t process_seed() {
  static const uint64_t seed = [] {
    std::random_device entropy;
    return (static_cast<uint64_t>(entropy()) << 32) ^ entropy();
  }();
  return seed;
}

}  // namespace weft::kv
