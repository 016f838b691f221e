#pragma once
// weft-kv's settings: from the command line (main.cpp), some changeable with CONFIG SET.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::kv {

enum class EvictionPolicy : uint8_t { noeviction, allkeys_lru };

struct Options {
  std::string address = "tcp://127.0.0.1:6379";
  size_t loops = 1;
  std::string requirepass;  // Empty: no password.
  uint64_t maxmemory = 0;   // Bytes; 0: no limit.
  EvictionPolicy policy = EvictionPolicy::noeviction;
  size_t max_bulk_length = 512 * 1024 * 1024;
  size_t pubsub_output_limit = 32 * 1024 * 1024;  // Redis's pubsub hard limit.
  // On a stop, serve each connection until its client closes it (or the shutdown deadline
  // cuts it). RESP cannot tell a client to reconnect, so the old workers of a hot restart
  // would otherwise fail the commands their clients have on the way.
  bool serve_until_clients_close = false;
};

// "100mb", "1gb", "512k", "4096": Redis's memory units (k=1000, kb=1024, m=10^6, mb=2^20,
// g=10^9, gb=2^30), case-insensitive. Nullopt when malformed.
std::optional<uint64_t> parse_memory(std::string_view text);
std::optional<EvictionPolicy> parse_policy(std::string_view text);
std::string_view to_string(EvictionPolicy policy);

}  // namespace weft::kv
