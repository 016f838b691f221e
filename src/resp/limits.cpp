#include "weft/resp/limits.h"

#include <stdexcept>
#include <string>

namespace weft::resp {
namespace {

void require(bool ok, const char* field, const std::string& why) {
  if (!ok) throw std::invalid_argument(std::string("RequestLimits: ") + field + " " + why);
}

}  // namespace

void validate(const RequestLimits& l) {
  require(l.max_bulk_length >= 1, "max_bulk_length", "must be at least 1");
  require(l.max_arguments >= 1, "max_arguments", "must be at least 1");
  require(l.max_line_length >= 16, "max_line_length", "must be at least 16 (room for any count line)");
  std::string why = "(";
  why += std::to_string(l.max_request_length);
  why += ") must be at least max_line_length (";
  why += std::to_string(l.max_line_length);
  why += ")";
  require(l.max_request_length >= l.max_line_length, "max_request_length", why);
  require(l.unauthenticated_max_arguments >= 1, "unauthenticated_max_arguments", "must be at least 1");
  require(l.unauthenticated_max_bulk_length >= 1, "unauthenticated_max_bulk_length", "must be at least 1");
}

}  // namespace weft::resp
