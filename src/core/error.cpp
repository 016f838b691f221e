#include "weft/core/error.h"

#include <string>

namespace weft {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft"; }

  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::closed: return "connection closed";
      case Errc::timeout: return "operation timed out";
      case Errc::frame_too_long: return "frame too long";
      case Errc::corrupted_frame: return "corrupted frame";
      case Errc::protocol_error: return "protocol error";
      case Errc::shutdown: return "server shutting down";
      case Errc::inbound_overflow: return "unconsumed input over its limit";
      case Errc::idle_timeout: return "idle timeout";
      case Errc::handler_error: return "handler threw an exception";
      case Errc::outbound_overflow: return "output over its limit";
      case Errc::end_of_input: return "end of input";
      case Errc::heartbeat_timeout: return "heartbeat timeout: the peer went silent";
      case Errc::read_deadline: return "read deadline passed";
      case Errc::write_deadline: return "write deadline passed with output unsent";
    }
    return "unknown weft error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace weft
