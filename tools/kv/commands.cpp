// The command table: every command weft-kv knows, with Redis's arity, flags and key
// positions, and how it routes between shards.

#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "command.h"
#include "families.h"

namespace weft::kv {
namespace {

using namespace flag;
constexpr uint32_t kRead = kReadonly;
constexpr uint32_t kWriteOom = kWrite | kDenyOom;

// name, arity, flags, route, first key, last key, step, function, group, summary
constexpr Command kCommands[] = {
    // connection
    {"ping", -1, kFast | kPubSub, Route::local, 0, 0, 0, cmd_ping, "connection", "Ping the server"},
    {"echo", 2, kFast, Route::local, 0, 0, 0, cmd_echo, "connection", "Echo the given string"},
    {"hello", -1, kFast | kNoAuth, Route::local, 0, 0, 0, cmd_hello, "connection",
     "Handshake with the server: protocol version, authentication, name"},
    {"auth", -2, kFast | kNoAuth, Route::local, 0, 0, 0, cmd_auth, "connection", "Authenticate to the server"},
    {"select", 2, kFast, Route::local, 0, 0, 0, cmd_select, "connection", "Change the selected database (only 0)"},
    {"client", -2, 0, Route::local, 0, 0, 0, cmd_client, "connection", "A container for client connection commands"},
    {"quit", -1, kFast | kNoAuth | kPubSub, Route::local, 0, 0, 0, cmd_quit, "connection", "Close the connection"},
    {"reset", 1, kFast | kNoAuth | kPubSub, Route::local, 0, 0, 0, cmd_reset, "connection", "Reset the connection"},
    // pub/sub
    {"subscribe", -2, kPubSub, Route::local, 0, 0, 0, cmd_subscribe, "pubsub",
     "Listen for messages published to channels"},
    {"unsubscribe", -1, kPubSub, Route::local, 0, 0, 0, cmd_unsubscribe, "pubsub",
     "Stop listening for messages posted to the given channels"},
    {"psubscribe", -2, kPubSub, Route::local, 0, 0, 0, cmd_psubscribe, "pubsub",
     "Listen for messages published to channels matching the given patterns"},
    {"punsubscribe", -1, kPubSub, Route::local, 0, 0, 0, cmd_punsubscribe, "pubsub",
     "Stop listening for messages posted to channels matching the given patterns"},
    {"publish", 3, kPubSub | kFast, Route::all, 0, 0, 0, cmd_publish, "pubsub", "Post a message to a channel"},
    // server
    {"info", -1, 0, Route::local, 0, 0, 0, cmd_info, "server", "Get information and statistics about the server"},
    {"config", -2, kAdmin, Route::local, 0, 0, 0, cmd_config, "server",
     "A container for server configuration commands"},
    {"command", -1, 0, Route::local, 0, 0, 0, cmd_command, "server", "Get array of command details"},
    {"debug", -2, kAdmin, Route::local, 0, 0, 0, cmd_debug, "server", "A container for debugging commands"},
    {"time", 1, kFast, Route::local, 0, 0, 0, cmd_time, "server", "Return the current server time"},
    // keys
    {"del", -2, kWrite, Route::multi, 1, -1, 1, cmd_del, "generic", "Delete keys"},
    {"unlink", -2, kWrite | kFast, Route::multi, 1, -1, 1, cmd_unlink, "generic", "Delete keys"},
    {"exists", -2, kRead | kFast, Route::multi, 1, -1, 1, cmd_exists, "generic", "Count the keys that exist"},
    {"type", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_type, "generic", "Determine the type stored at key"},
    {"expire", -3, kWrite | kFast, Route::key, 1, 1, 1, cmd_expire, "generic", "Set a key's time to live in seconds"},
    {"pexpire", -3, kWrite | kFast, Route::key, 1, 1, 1, cmd_pexpire, "generic",
     "Set a key's time to live in milliseconds"},
    {"expireat", -3, kWrite | kFast, Route::key, 1, 1, 1, cmd_expireat, "generic",
     "Set the expiration for a key as a UNIX timestamp"},
    {"pexpireat", -3, kWrite | kFast, Route::key, 1, 1, 1, cmd_pexpireat, "generic",
     "Set the expiration for a key as a UNIX timestamp in milliseconds"},
    {"ttl", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_ttl, "generic", "Get the time to live for a key in seconds"},
    {"pttl", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_pttl, "generic",
     "Get the time to live for a key in milliseconds"},
    {"expiretime", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_expiretime, "generic",
     "Get the expiration Unix timestamp for a key"},
    {"pexpiretime", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_pexpiretime, "generic",
     "Get the expiration Unix timestamp for a key in milliseconds"},
    {"persist", 2, kWrite | kFast, Route::key, 1, 1, 1, cmd_persist, "generic", "Remove the expiration from a key"},
    {"rename", 3, kWrite, Route::multi, 1, 2, 1, cmd_rename, "generic", "Rename a key"},
    {"renamenx", 3, kWrite | kFast, Route::multi, 1, 2, 1, cmd_renamenx, "generic",
     "Rename a key, only if the new key does not exist"},
    {"keys", 2, kRead, Route::all, 0, 0, 0, cmd_keys, "generic", "Find all keys matching the given pattern"},
    {"scan", -2, kRead, Route::all, 0, 0, 0, cmd_scan, "generic", "Incrementally iterate the keys space"},
    {"randomkey", 1, kRead, Route::all, 0, 0, 0, cmd_randomkey, "generic", "Return a random key from the keyspace"},
    {"dbsize", 1, kRead | kFast, Route::all, 0, 0, 0, cmd_dbsize, "server",
     "Return the number of keys in the selected database"},
    {"flushdb", -1, kWrite, Route::all, 0, 0, 0, cmd_flushdb, "server", "Remove all keys from the current database"},
    {"flushall", -1, kWrite, Route::all, 0, 0, 0, cmd_flushdb, "server", "Remove all keys from all databases"},
    // strings
    {"get", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_get, "string", "Get the value of a key"},
    {"set", -3, kWriteOom, Route::key, 1, 1, 1, cmd_set, "string",
     "Set the string value of a key, with expiry and conditions"},
    {"setnx", 3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_setnx, "string",
     "Set the value of a key, only if the key does not exist"},
    {"setex", 4, kWriteOom, Route::key, 1, 1, 1, cmd_setex, "string", "Set the value and expiration of a key"},
    {"psetex", 4, kWriteOom, Route::key, 1, 1, 1, cmd_psetex, "string",
     "Set the value and expiration in milliseconds of a key"},
    {"getset", 3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_getset, "string",
     "Set the string value of a key and return its old value"},
    {"getdel", 2, kWrite | kFast, Route::key, 1, 1, 1, cmd_getdel, "string", "Get the value of a key and delete it"},
    {"mget", -2, kRead | kFast, Route::multi, 1, -1, 1, cmd_mget, "string", "Get the values of all the given keys"},
    {"mset", -3, kWriteOom, Route::multi, 1, -1, 2, cmd_mset, "string", "Set multiple keys to multiple values"},
    {"msetnx", -3, kWriteOom, Route::multi, 1, -1, 2, cmd_msetnx, "string",
     "Set multiple keys to multiple values, only if none of the keys exist"},
    {"incr", 2, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_incr, "string",
     "Increment the integer value of a key by one"},
    {"decr", 2, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_decr, "string",
     "Decrement the integer value of a key by one"},
    {"incrby", 3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_incrby, "string",
     "Increment the integer value of a key by the given amount"},
    {"decrby", 3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_decrby, "string",
     "Decrement the integer value of a key by the given number"},
    {"incrbyfloat", 3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_incrbyfloat, "string",
     "Increment the float value of a key by the given amount"},
    {"append", 3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_append, "string", "Append a value to a key"},
    {"strlen", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_strlen, "string",
     "Get the length of the value stored in a key"},
    {"getrange", 4, kRead, Route::key, 1, 1, 1, cmd_getrange, "string",
     "Get a substring of the string stored at a key"},
    {"setrange", 4, kWriteOom, Route::key, 1, 1, 1, cmd_setrange, "string",
     "Overwrite part of a string at key starting at the specified offset"},
    // lists
    {"lpush", -3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_lpush, "list",
     "Prepend one or multiple elements to a list"},
    {"rpush", -3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_rpush, "list",
     "Append one or multiple elements to a list"},
    {"lpushx", -3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_lpushx, "list",
     "Prepend elements to a list, only if the list exists"},
    {"rpushx", -3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_rpushx, "list",
     "Append elements to a list, only if the list exists"},
    {"lpop", -2, kWrite | kFast, Route::key, 1, 1, 1, cmd_lpop, "list", "Remove and get the first elements in a list"},
    {"rpop", -2, kWrite | kFast, Route::key, 1, 1, 1, cmd_rpop, "list", "Remove and get the last elements in a list"},
    {"llen", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_llen, "list", "Get the length of a list"},
    {"lrange", 4, kRead, Route::key, 1, 1, 1, cmd_lrange, "list", "Get a range of elements from a list"},
    {"lindex", 3, kRead, Route::key, 1, 1, 1, cmd_lindex, "list", "Get an element from a list by its index"},
    {"lset", 4, kWriteOom, Route::key, 1, 1, 1, cmd_lset, "list", "Set the value of an element in a list by its index"},
    {"lrem", 4, kWrite, Route::key, 1, 1, 1, cmd_lrem, "list", "Remove elements from a list"},
    {"ltrim", 4, kWrite, Route::key, 1, 1, 1, cmd_ltrim, "list", "Trim a list to the specified range"},
    // hashes
    {"hset", -4, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_hset, "hash", "Set the string value of hash fields"},
    {"hmset", -4, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_hmset, "hash",
     "Set multiple hash fields to multiple values"},
    {"hsetnx", 4, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_hsetnx, "hash",
     "Set the value of a hash field, only if the field does not exist"},
    {"hget", 3, kRead | kFast, Route::key, 1, 1, 1, cmd_hget, "hash", "Get the value of a hash field"},
    {"hmget", -3, kRead | kFast, Route::key, 1, 1, 1, cmd_hmget, "hash", "Get the values of all the given hash fields"},
    {"hdel", -3, kWrite | kFast, Route::key, 1, 1, 1, cmd_hdel, "hash", "Delete one or more hash fields"},
    {"hgetall", 2, kRead, Route::key, 1, 1, 1, cmd_hgetall, "hash", "Get all the fields and values in a hash"},
    {"hkeys", 2, kRead, Route::key, 1, 1, 1, cmd_hkeys, "hash", "Get all the fields in a hash"},
    {"hvals", 2, kRead, Route::key, 1, 1, 1, cmd_hvals, "hash", "Get all the values in a hash"},
    {"hlen", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_hlen, "hash", "Get the number of fields in a hash"},
    {"hexists", 3, kRead | kFast, Route::key, 1, 1, 1, cmd_hexists, "hash", "Determine if a hash field exists"},
    {"hstrlen", 3, kRead | kFast, Route::key, 1, 1, 1, cmd_hstrlen, "hash",
     "Get the length of the value of a hash field"},
    {"hincrby", 4, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_hincrby, "hash",
     "Increment the integer value of a hash field by the given number"},
    // sets
    {"sadd", -3, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_sadd, "set", "Add one or more members to a set"},
    {"srem", -3, kWrite | kFast, Route::key, 1, 1, 1, cmd_srem, "set", "Remove one or more members from a set"},
    {"smembers", 2, kRead, Route::key, 1, 1, 1, cmd_smembers, "set", "Get all the members in a set"},
    {"sismember", 3, kRead | kFast, Route::key, 1, 1, 1, cmd_sismember, "set",
     "Determine if a given value is a member of a set"},
    {"smismember", -3, kRead | kFast, Route::key, 1, 1, 1, cmd_smismember, "set",
     "Returns the membership associated with the given elements for a set"},
    {"scard", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_scard, "set", "Get the number of members in a set"},
    {"spop", -2, kWrite | kFast, Route::key, 1, 1, 1, cmd_spop, "set", "Remove and return random members from a set"},
    {"srandmember", -2, kRead, Route::key, 1, 1, 1, cmd_srandmember, "set", "Get random members from a set"},
    {"sinter", -2, kRead, Route::multi, 1, -1, 1, cmd_sinter, "set", "Intersect multiple sets"},
    {"sunion", -2, kRead, Route::multi, 1, -1, 1, cmd_sunion, "set", "Add multiple sets"},
    {"sdiff", -2, kRead, Route::multi, 1, -1, 1, cmd_sdiff, "set", "Subtract multiple sets"},
    // sorted sets
    {"zadd", -4, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_zadd, "sorted-set",
     "Add members to a sorted set, or update their scores"},
    {"zincrby", 4, kWriteOom | kFast, Route::key, 1, 1, 1, cmd_zincrby, "sorted-set",
     "Increment the score of a member in a sorted set"},
    {"zrem", -3, kWrite | kFast, Route::key, 1, 1, 1, cmd_zrem, "sorted-set", "Remove members from a sorted set"},
    {"zscore", 3, kRead | kFast, Route::key, 1, 1, 1, cmd_zscore, "sorted-set",
     "Get the score associated with the given member in a sorted set"},
    {"zcard", 2, kRead | kFast, Route::key, 1, 1, 1, cmd_zcard, "sorted-set",
     "Get the number of members in a sorted set"},
    {"zcount", 4, kRead | kFast, Route::key, 1, 1, 1, cmd_zcount, "sorted-set",
     "Count the members in a sorted set with scores within the given values"},
    {"zrank", 3, kRead | kFast, Route::key, 1, 1, 1, cmd_zrank, "sorted-set",
     "Determine the index of a member in a sorted set"},
    {"zrevrank", 3, kRead | kFast, Route::key, 1, 1, 1, cmd_zrevrank, "sorted-set",
     "Determine the index of a member in a sorted set, with scores ordered from high to low"},
    {"zrange", -4, kRead, Route::key, 1, 1, 1, cmd_zrange, "sorted-set", "Return a range of members in a sorted set"},
    {"zpopmin", -2, kWrite | kFast, Route::key, 1, 1, 1, cmd_zpopmin, "sorted-set",
     "Remove and return members with the lowest scores in a sorted set"},
    {"zpopmax", -2, kWrite | kFast, Route::key, 1, 1, 1, cmd_zpopmax, "sorted-set",
     "Remove and return members with the highest scores in a sorted set"},
};

}  // namespace

bool equals_lower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
    if (ch != lower[i]) return false;
  }
  return true;
}

namespace {

// A name of at most 16 bytes packed into two words, each byte ORed with 0x20. That folds
// 'A'..'Z' onto 'a'..'z' and maps every byte that is not a letter to a byte that is not a
// letter either, so a name of letters only (every command's) is matched exactly, in any
// case, and nothing else of the same length matches it (lengths are compared apart: the
// padding is what a space or a NUL folds to).
struct Packed {
  uint64_t lo;
  uint64_t hi;
};

Packed pack(std::string_view name) {
  char bytes[16];
  std::memset(bytes, ' ', sizeof bytes);
  std::memcpy(bytes, name.data(), name.size());
  Packed p;
  std::memcpy(&p.lo, bytes, 8);
  std::memcpy(&p.hi, bytes + 8, 8);
  p.lo |= 0x2020202020202020ull;
  p.hi |= 0x2020202020202020ull;
  return p;
}

size_t bucket_of(uint64_t lo, uint64_t hi, size_t buckets) {
  const uint64_t h = (lo * 0x9e3779b97f4a7c15ull) ^ (hi * 0xc2b2ae3d27d4eb4full);
  return static_cast<size_t>(h >> 40) & (buckets - 1);
}

bool letters_only(std::string_view s) {
  for (char ch : s) {
    if (ch < 'a' || ch > 'z') return false;
  }
  return true;
}

}  // namespace

CommandTable::CommandTable() {
  for (const Command& c : kCommands) {
    if (c.name.empty() || c.name.size() > kMaxName || !letters_only(c.name)) std::abort();
    const Packed p = pack(c.name);
    size_t b = bucket_of(p.lo, p.hi, kBuckets);
    while (buckets_[b].command != nullptr) b = (b + 1) & (kBuckets - 1);
    buckets_[b] = {p.lo, p.hi, &c, c.name.size()};
  }
}

const Command* CommandTable::find(std::string_view name) const {
  if (name.empty() || name.size() > kMaxName) return nullptr;
  const Packed p = pack(name);
  for (size_t b = bucket_of(p.lo, p.hi, kBuckets);; b = (b + 1) & (kBuckets - 1)) {
    const Entry& e = buckets_[b];
    if (e.command == nullptr) return nullptr;
    if (e.lo == p.lo && e.hi == p.hi && e.size == name.size()) return e.command;
  }
}

std::span<const Command> CommandTable::all() const {
  return kCommands;
}

}  // namespace weft::kv
