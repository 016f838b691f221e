#include "weft/ws/frame.h"

#include <string>

#include "ws/frame_codec.h"

namespace weft::ws {

Frame::Frame(MessageType type, std::string_view data) : type_(type) {
  char header[detail::kMaxHeaderSize];
  const size_t size = detail::write_header(header, static_cast<uint8_t>(type), true, false, data.size());
  std::string bytes;
  bytes.reserve(size + data.size());
  bytes.append(header, size).append(data);
  bytes_ = SharedBytes::adopt(std::move(bytes));
}

}  // namespace weft::ws
