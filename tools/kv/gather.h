#pragma once
// Gather: a command in flight across shards (dispatch.h), shared by the router's parts
// (dispatch.cpp) and its commands in steps (steps.cpp). Owned by the client's shard and
// touched only by its loop thread; deleted once its reply is in the client's slot.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "command.h"
#include "families.h"
#include "record.h"
#include "weft/resp/reply_writer.h"

namespace weft::kv {

class Client;

// How the parts of a command that ran on several shards become one reply.
enum class Merge : uint8_t {
  sum,         // DEL, UNLINK, EXISTS, DBSIZE, PUBLISH: add the integers.
  ok,          // MSET, FLUSHDB, FLUSHALL: OK once every part said OK.
  mget,        // MGET: each key's value from the part that owns it, in the keys' order.
  keys,        // KEYS: every part's array, joined.
  members,     // SINTER, SUNION, SDIFF: the sets, combined here.
  random_key,  // RANDOMKEY: one of the parts' keys.
  text,        // CLIENT LIST: the parts' text, joined.
};

// A command in flight across shards: its parts' replies, or the steps of RENAME/MSETNX.
struct Gather {
  Client* client = nullptr;
  const Command* command = nullptr;
  resp::Protocol protocol = resp::Protocol::resp2;
  Merge merge = Merge::sum;
  SetOp set_op = SetOp::inter;
  uint64_t slot = 0;
  uint32_t waiting = 0;
  std::vector<std::string> replies;  // Per shard (RESP2).
  std::vector<uint32_t> key_part;    // The shard of each key, in argument order.
  // Steps.
  bool stepped = false;
  bool nx = false;
  int step = 0;
  std::vector<std::string> names;  // RENAME: source, destination; MSETNX: its arguments.
  Record* record = nullptr;
};

// A copy of an argument that must outlive the request's input.
inline std::string own(std::string_view s) {
  return std::string(s);
}

}  // namespace weft::kv
