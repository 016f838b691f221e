#pragma once
// Error categories by a one-byte index, for objects that keep an error_code and must stay
// small (a connection's close error). Index 0 means no error; the common categories have
// fixed indices and others are registered on first use (at most 60 distinct ones).

#include <cstdint>
#include <system_error>

namespace weft::detail {

uint8_t category_index(const std::error_category& category);
const std::error_category& category_at(uint8_t index);

}  // namespace weft::detail
