#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>

namespace weft_load {

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_UNSPEC;  // AF_INET, AF_INET6 or AF_UNIX
};

// Accepts tcp://host:port, tcp://[v6-literal]:port, unix:///absolute/path and
// unix://@abstract-name. Host names are resolved once, first result wins.
std::optional<Endpoint> parse_endpoint(const std::string& uri, std::string& error);

}  // namespace weft_load
