#pragma once
// Every command's function, by family. The table that names them is commands.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command.h"

namespace weft::kv {

// --- connection (cmd_connection.cpp) ---
void cmd_ping(Ctx&);
void cmd_echo(Ctx&);
void cmd_hello(Ctx&);
void cmd_auth(Ctx&);
void cmd_select(Ctx&);
void cmd_client(Ctx&);
void cmd_quit(Ctx&);
void cmd_reset(Ctx&);

// One line of CLIENT LIST for a client (cmd_connection.cpp).
class Client;
void client_info_line(const Client& client, std::string& out);

// --- keys (cmd_keys.cpp) ---
void cmd_del(Ctx&);
void cmd_unlink(Ctx&);
void cmd_exists(Ctx&);
void cmd_type(Ctx&);
void cmd_expire(Ctx&);
void cmd_pexpire(Ctx&);
void cmd_expireat(Ctx&);
void cmd_pexpireat(Ctx&);
void cmd_ttl(Ctx&);
void cmd_pttl(Ctx&);
void cmd_expiretime(Ctx&);
void cmd_pexpiretime(Ctx&);
void cmd_persist(Ctx&);
void cmd_rename(Ctx&);
void cmd_renamenx(Ctx&);
void cmd_keys(Ctx&);
void cmd_scan(Ctx&);
void cmd_randomkey(Ctx&);
void cmd_dbsize(Ctx&);
void cmd_flushdb(Ctx&);

struct ScanOptions {
  size_t count = 10;
  std::string_view pattern;
  bool match_all = true;
  std::string_view type;
};
std::optional<uint64_t> parse_cursor(std::string_view text);
// SCAN's options from argument `from` on, or nullopt after replying the error.
std::optional<ScanOptions> parse_scan_options(Ctx& c, size_t from);
// One SCAN step over one store from a hash; returns the hash to go on from, 0 at the end.
class Store;
uint64_t scan_shard(Store& store, uint64_t from, const ScanOptions& o, std::vector<std::string_view>& keys);

// --- strings (cmd_strings.cpp) ---
void cmd_get(Ctx&);
void cmd_set(Ctx&);
void cmd_setnx(Ctx&);
void cmd_setex(Ctx&);
void cmd_psetex(Ctx&);
void cmd_getset(Ctx&);
void cmd_getdel(Ctx&);
void cmd_mget(Ctx&);
void cmd_mset(Ctx&);
void cmd_msetnx(Ctx&);
void cmd_incr(Ctx&);
void cmd_decr(Ctx&);
void cmd_incrby(Ctx&);
void cmd_decrby(Ctx&);
void cmd_incrbyfloat(Ctx&);
void cmd_append(Ctx&);
void cmd_strlen(Ctx&);
void cmd_getrange(Ctx&);
void cmd_setrange(Ctx&);

// --- pub/sub (pubsub.cpp) ---
void cmd_subscribe(Ctx&);
void cmd_unsubscribe(Ctx&);
void cmd_psubscribe(Ctx&);
void cmd_punsubscribe(Ctx&);
void cmd_publish(Ctx&);

// --- server (cmd_server.cpp) ---
void cmd_info(Ctx&);
void cmd_config(Ctx&);
void cmd_command(Ctx&);
void cmd_debug(Ctx&);
void cmd_time(Ctx&);

// --- lists (cmd_lists.cpp) ---
void cmd_lpush(Ctx&);
void cmd_rpush(Ctx&);
void cmd_lpushx(Ctx&);
void cmd_rpushx(Ctx&);
void cmd_lpop(Ctx&);
void cmd_rpop(Ctx&);
void cmd_llen(Ctx&);
void cmd_lrange(Ctx&);
void cmd_lindex(Ctx&);
void cmd_lset(Ctx&);
void cmd_lrem(Ctx&);
void cmd_ltrim(Ctx&);

// --- hashes (cmd_hashes.cpp) ---
void cmd_hset(Ctx&);
void cmd_hmset(Ctx&);
void cmd_hsetnx(Ctx&);
void cmd_hget(Ctx&);
void cmd_hmget(Ctx&);
void cmd_hdel(Ctx&);
void cmd_hgetall(Ctx&);
void cmd_hkeys(Ctx&);
void cmd_hvals(Ctx&);
void cmd_hlen(Ctx&);
void cmd_hexists(Ctx&);
void cmd_hstrlen(Ctx&);
void cmd_hincrby(Ctx&);

// --- sets (cmd_sets.cpp) ---
void cmd_sadd(Ctx&);
void cmd_srem(Ctx&);
void cmd_smembers(Ctx&);
void cmd_sismember(Ctx&);
void cmd_smismember(Ctx&);
void cmd_scard(Ctx&);
void cmd_spop(Ctx&);
void cmd_srandmember(Ctx&);
void cmd_sinter(Ctx&);
void cmd_sunion(Ctx&);
void cmd_sdiff(Ctx&);
enum class SetOp { inter, union_, diff };
// SINTER, SUNION or SDIFF of sets in this shard's store.
void set_algebra(Ctx& c, SetOp op, Args keys);

// --- sorted sets (cmd_zsets.cpp) ---
void cmd_zadd(Ctx&);
void cmd_zincrby(Ctx&);
void cmd_zrem(Ctx&);
void cmd_zscore(Ctx&);
void cmd_zcard(Ctx&);
void cmd_zcount(Ctx&);
void cmd_zrank(Ctx&);
void cmd_zrevrank(Ctx&);
void cmd_zrange(Ctx&);
void cmd_zpopmin(Ctx&);
void cmd_zpopmax(Ctx&);

}  // namespace weft::kv
