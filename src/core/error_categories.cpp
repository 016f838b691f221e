#include "core/error_categories.h"

#include <atomic>

#include "weft/core/error.h"

namespace weft::detail {
namespace {

constexpr uint8_t kFixed = 4;  // None, system, generic, weft.
constexpr uint8_t kMax = 64;
std::atomic<const std::error_category*> g_registered[kMax]{};

}  // namespace

uint8_t category_index(const std::error_category& category) {
  if (category == std::system_category()) return 1;
  if (category == std::generic_category()) return 2;
  if (category == error_category()) return 3;
  for (uint8_t i = kFixed; i < kMax; ++i) {
    const std::error_category* seen = g_registered[i].load(std::memory_order_acquire);
    if (seen == &category) return i;
    if (seen == nullptr) {
      const std::error_category* expected = nullptr;
      if (g_registered[i].compare_exchange_strong(expected, &category, std::memory_order_acq_rel) ||
          expected == &category) {
        return i;
      }
    }
  }
  return 1;  // Full: the value is kept under the system category rather than lost.
}

const std::error_category& category_at(uint8_t index) {
  switch (index) {
    case 1: return std::system_category();
    case 2: return std::generic_category();
    case 3: return error_category();
    default: break;
  }
  const std::error_category* c = index < kMax ? g_registered[index].load(std::memory_order_acquire) : nullptr;
  return c != nullptr ? *c : std::system_category();
}

}  // namespace weft::detail
