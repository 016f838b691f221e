#pragma once
// SHA-1 (FIPS 180-4) and base64 (RFC 4648), for the WebSocket handshake's
// Sec-WebSocket-Accept only: SHA-1 is not used for anything that needs collision
// resistance here.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace weft::ws::detail {

std::array<uint8_t, 20> sha1(std::string_view data);
std::string base64_encode(std::string_view bytes);
// Decodes padded base64; false for anything else.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace weft::ws::detail
