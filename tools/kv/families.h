#pragma once
// Every command's function, by family. The table that names them is commands.cpp.

#include <cstdint>
#include <optional>
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

}  // namespace weft::kv
