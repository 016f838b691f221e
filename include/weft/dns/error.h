#pragma once
// Name resolution errors, in their own category ("weft.dns"). A dial that cannot resolve
// its host reports one of these (compare with ==, as with weft::Errc).

#include <system_error>

namespace weft::dns {

enum class Errc {
  name_not_found = 1,  // The name does not exist (NXDOMAIN, or unknown to the hosts file).
  no_address,          // The name exists but has no address of the family asked for.
  server_failure,      // The name servers failed, refused, or answered nonsense.
  timeout,             // No name server answered in time.
  bad_name,            // Not a valid host name.
  cancelled,           // The resolver was destroyed with the query in flight.
};

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace weft::dns

template <>
struct std::is_error_code_enum<weft::dns::Errc> : std::true_type {};
