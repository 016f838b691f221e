#include "weft/transport/tls_error.h"

#include <string>

namespace weft::tls {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tls"; }

  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::handshake_failed: return "TLS handshake failed";
      case Errc::verify_failed: return "TLS peer certificate verification failed";
      case Errc::protocol_error: return "TLS protocol error";
      case Errc::unexpected_eof: return "TLS peer closed without close_notify";
      case Errc::internal_error: return "TLS internal error";
    }
    return "unknown TLS error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace weft::tls
