#pragma once
// Commands: their table entry (name, arity, flags, where their keys are, how they route
// between shards) and the context one runs in.
//
// A command runs on the shard that owns its keys. Ctx::client is the issuing client when
// the command runs on that client's own loop; commands that need the client (connection
// commands) are always run there. Arguments are views valid only while the command runs.

#include <cstdint>
#include <span>
#include <string_view>

#include "weft/resp/reply_writer.h"

namespace weft::kv {

class Client;
class Shard;
class Store;
class KvServer;

using Args = std::span<const std::string_view>;

struct Ctx {
  Shard& shard;
  Store& store;
  Args args;
  resp::ReplyWriter& out;
  Client* client;  // Null when the command runs on another loop than its client's.
};

using CommandFn = void (*)(Ctx&);

// How a command's keys are spread over shards (see dispatch.h).
enum class Route : uint8_t {
  local,  // No keys: runs on the client's loop (connection and server commands).
  key,    // One key (argument 1): runs on its owner.
  multi,  // Several keys: parts run on the owners and their replies are merged.
  all,    // Every shard takes part (KEYS, FLUSHALL, PUBLISH, ...).
};

namespace flag {
inline constexpr uint32_t kWrite = 1u << 0;
inline constexpr uint32_t kReadonly = 1u << 1;
inline constexpr uint32_t kDenyOom = 1u << 2;  // Refused with OOM above maxmemory.
inline constexpr uint32_t kNoAuth = 1u << 3;   // Allowed before AUTH.
inline constexpr uint32_t kPubSub = 1u << 4;   // Allowed in RESP2 subscriber mode.
inline constexpr uint32_t kFast = 1u << 5;
inline constexpr uint32_t kAdmin = 1u << 6;
}  // namespace flag

struct Command {
  std::string_view name;  // Lower case, as Redis reports it.
  int arity;              // Redis's convention: N exactly, or -N for at least N.
  uint32_t flags;
  Route route;
  int8_t first_key;  // 0 when the command has no keys.
  int8_t last_key;   // -1: the last argument; -2: the one before it.
  int8_t key_step;
  CommandFn run;
  std::string_view group;    // For COMMAND DOCS.
  std::string_view summary;  // For COMMAND DOCS.

  bool arity_ok(size_t argc) const {
    return arity >= 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
  }
};

// The table of every command, looked up by name in any case. A lookup runs once per
// request: the name (every command's is at most 16 letters) is folded to lower case and
// packed into two words, hashed, and compared as two integers.
class CommandTable {
 public:
  CommandTable();
  const Command* find(std::string_view name) const;
  std::span<const Command> all() const;

 private:
  static constexpr size_t kBuckets = 512;
  static constexpr size_t kMaxName = 16;
  struct Entry {
    uint64_t lo = 0;
    uint64_t hi = 0;
    const Command* command = nullptr;
    size_t size = 0;
  };
  Entry buckets_[kBuckets];
};

// Case-insensitive equality with a lower-case word.
bool equals_lower(std::string_view s, std::string_view lower);

}  // namespace weft::kv
