#include "weft/dns/error.h"

#include <string>

namespace weft::dns {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.dns"; }

  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::name_not_found: return "name not found";
      case Errc::no_address: return "name has no address";
      case Errc::server_failure: return "name server failure";
      case Errc::timeout: return "name server timeout";
      case Errc::bad_name: return "malformed host name";
      case Errc::cancelled: return "name resolution cancelled";
    }
    return "unknown name resolution error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace weft::dns
