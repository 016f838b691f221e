// Key commands: DEL, UNLINK, EXISTS, TYPE, EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT (NX/XX/GT/LT),
// TTL/PTTL, EXPIRETIME/PEXPIRETIME, PERSIST, RENAME, RENAMENX, KEYS, SCAN, RANDOMKEY,
// DBSIZE, FLUSHDB, FLUSHALL. Replies and errors follow Redis 7.0 (db.c, expire.c).
//
// Run on one shard, these see that shard's keys; dispatch.cpp spreads the ones that span
// shards (DEL, EXISTS, RENAME, KEYS, SCAN, DBSIZE, FLUSHALL) over every owner.

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cmd_util.h"
#include "families.h"
#include "glob.h"
#include "server.h"

namespace weft::kv {
namespace {

std::string_view type_name(const Record* r) {
  if (r == nullptr) return "none";
  switch (r->type()) {
    case Type::string: return "string";
    case Type::list: return "list";
    case Type::hash: return "hash";
    case Type::set: return "set";
    case Type::zset: return "zset";
  }
  return "none";
}

int64_t count_deleted(Ctx& c) {
  int64_t n = 0;
  for (size_t i = 1; i < c.args.size(); ++i) {
    const size_t slot = c.store.find(c.args[i]);
    if (slot == Store::npos) continue;
    c.store.erase(slot);
    ++n;
  }
  return n;
}

constexpr uint32_t kExpireNx = 1, kExpireXx = 2, kExpireGt = 4, kExpireLt = 8;

// EXPIRE and friends: `base` is added to the time (now for the relative forms), `seconds`
// says the unit.
void expire_generic(Ctx& c, int64_t base, bool seconds, std::string_view command) {
  uint32_t flags = 0;
  for (size_t j = 3; j < c.args.size(); ++j) {
    const std::string_view opt = c.args[j];
    if (equals_lower(opt, "nx")) {
      flags |= kExpireNx;
    } else if (equals_lower(opt, "xx")) {
      flags |= kExpireXx;
    } else if (equals_lower(opt, "gt")) {
      flags |= kExpireGt;
    } else if (equals_lower(opt, "lt")) {
      flags |= kExpireLt;
    } else {
      std::string e = "ERR Unsupported option ";
      e += opt;
      c.out.error(e);
      return;
    }
  }
  if ((flags & kExpireNx) && (flags & (kExpireXx | kExpireGt | kExpireLt))) {
    c.out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return;
  }
  if ((flags & kExpireGt) && (flags & kExpireLt)) {
    c.out.error("ERR GT and LT options at the same time are not compatible");
    return;
  }
  std::optional<int64_t> when = int_arg(c, c.args[2]);
  if (!when) return;
  int64_t at = *when;
  if (seconds) {
    if (at > INT64_MAX / 1000 || at < INT64_MIN / 1000) {
      c.out.error(err::expire_time(command));
      return;
    }
    at *= 1000;
  }
  if (at > INT64_MAX - base) {
    c.out.error(err::expire_time(command));
    return;
  }
  at += base;
  const size_t slot = c.store.find(c.args[1]);
  if (slot == Store::npos) {
    c.out.integer(0);
    return;
  }
  const int64_t current = c.store.at(slot)->expire_at();
  const bool none = current == Record::kNoExpiry;
  if (((flags & kExpireNx) && !none) || ((flags & kExpireXx) && none) ||
      ((flags & kExpireGt) && (none || at <= current)) || ((flags & kExpireLt) && !none && at >= current)) {
    c.out.integer(0);
    return;
  }
  if (at <= c.store.now()) {
    c.store.erase(slot);
  } else {
    c.store.set_expiry(slot, at);
  }
  c.out.integer(1);
}

// TTL and friends: in ms or rounded seconds, relative or absolute.
void ttl_generic(Ctx& c, bool ms, bool absolute) {
  const size_t slot = c.store.find(c.args[1]);
  if (slot == Store::npos) {
    c.out.integer(-2);
    return;
  }
  const int64_t expire = c.store.at(slot)->expire_at();
  if (expire == Record::kNoExpiry) {
    c.out.integer(-1);
    return;
  }
  int64_t ttl = absolute ? expire : expire - c.store.now();
  if (ttl < 0) ttl = 0;
  c.out.integer(ms ? ttl : (ttl + 500) / 1000);
}

void rename_generic(Ctx& c, bool nx) {
  const std::string_view from = c.args[1];
  const std::string_view to = c.args[2];
  const size_t slot = c.store.find(from);
  if (slot == Store::npos) {
    c.out.error(err::kNoSuchKey);
    return;
  }
  if (from == to) {
    if (nx) {
      c.out.integer(0);
    } else {
      c.out.ok();
    }
    return;
  }
  const uint64_t h = c.store.hash(to);
  const size_t existing = c.store.find(to, h);
  if (existing != Store::npos) {
    if (nx) {
      c.out.integer(0);
      return;
    }
    c.store.erase(existing);
  }
  Record* r = c.store.take(c.store.find(from));
  c.store.insert(Record::renamed(r, to), h);
  if (nx) {
    c.out.integer(1);
  } else {
    c.out.ok();
  }
}

}  // namespace

void cmd_del(Ctx& c) {
  c.out.integer(count_deleted(c));
}

void cmd_exists(Ctx& c) {
  int64_t n = 0;
  for (size_t i = 1; i < c.args.size(); ++i) n += c.store.find(c.args[i]) != Store::npos ? 1 : 0;
  c.out.integer(n);
}

void cmd_type(Ctx& c) {
  const size_t slot = c.store.find(c.args[1]);
  c.out.status(type_name(slot == Store::npos ? nullptr : c.store.at(slot)));
}

void cmd_expire(Ctx& c) {
  expire_generic(c, c.store.now(), true, "expire");
}
void cmd_pexpire(Ctx& c) {
  expire_generic(c, c.store.now(), false, "pexpire");
}
void cmd_expireat(Ctx& c) {
  expire_generic(c, 0, true, "expireat");
}
void cmd_pexpireat(Ctx& c) {
  expire_generic(c, 0, false, "pexpireat");
}
void cmd_ttl(Ctx& c) {
  ttl_generic(c, false, false);
}
void cmd_pttl(Ctx& c) {
  ttl_generic(c, true, false);
}
void cmd_expiretime(Ctx& c) {
  ttl_generic(c, false, true);
}
void cmd_pexpiretime(Ctx& c) {
  ttl_generic(c, true, true);
}

void cmd_persist(Ctx& c) {
  const size_t slot = c.store.find(c.args[1]);
  if (slot == Store::npos || !c.store.at(slot)->has_expiry()) {
    c.out.integer(0);
    return;
  }
  c.store.set_expiry(slot, Record::kNoExpiry);
  c.out.integer(1);
}

void cmd_rename(Ctx& c) {
  rename_generic(c, false);
}
void cmd_renamenx(Ctx& c) {
  rename_generic(c, true);
}

void cmd_keys(Ctx& c) {
  const std::string_view pattern = c.args[1];
  const bool all = pattern == "*";
  std::vector<std::string_view> keys;
  const int64_t now = c.store.now();
  for (uint64_t cursor = 0;;) {
    cursor = c.store.table().scan(cursor, 1024, [&](const Record* r) {
      if (r->has_expiry() && r->expire_at() <= now) return;
      if (all || glob_match(pattern, r->key())) keys.push_back(r->key());
    });
    if (cursor == 0) break;
  }
  c.out.array(keys.size());
  for (std::string_view k : keys) c.out.bulk(k);
}

std::optional<uint64_t> parse_cursor(std::string_view text) {
  // As Redis, strtoul's rules: no leading blank, every byte used, no overflow.
  if (text.empty() || text.size() > 64 || std::isspace(static_cast<unsigned char>(text[0]))) return std::nullopt;
  char buf[72];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(buf, &end, 10);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return v;
}

std::optional<ScanOptions> parse_scan_options(Ctx& c, size_t from) {
  ScanOptions o;
  for (size_t i = from; i < c.args.size(); i += 2) {
    const bool has_value = i + 1 < c.args.size();
    if (equals_lower(c.args[i], "count") && has_value) {
      std::optional<int64_t> n = int_arg(c, c.args[i + 1]);
      if (!n) return std::nullopt;
      if (*n < 1) {
        c.out.error(err::kSyntax);
        return std::nullopt;
      }
      o.count = static_cast<size_t>(*n);
    } else if (equals_lower(c.args[i], "match") && has_value) {
      o.pattern = c.args[i + 1];
      o.match_all = o.pattern == "*";
    } else if (equals_lower(c.args[i], "type") && has_value) {
      o.type = c.args[i + 1];
    } else {
      c.out.error(err::kSyntax);
      return std::nullopt;
    }
  }
  return o;
}

uint64_t scan_shard(Store& store, uint64_t from, const ScanOptions& o, std::vector<std::string_view>& keys) {
  const int64_t now = store.now();
  return store.table().scan(from, o.count, [&](const Record* r) {
    if (r->has_expiry() && r->expire_at() <= now) return;
    if (!o.match_all && !glob_match(o.pattern, r->key())) return;
    if (!o.type.empty() && !equals_lower(o.type, type_name(r))) return;
    keys.push_back(r->key());
  });
}

void cmd_scan(Ctx& c) {
  std::optional<uint64_t> cursor = parse_cursor(c.args[1]);
  if (!cursor) {
    c.out.error("ERR invalid cursor");
    return;
  }
  std::optional<ScanOptions> o = parse_scan_options(c, 2);
  if (!o) return;
  // The cursor's low byte names the shard, the rest is where in its hash order to go on.
  std::vector<std::string_view> keys;
  const uint64_t next = scan_shard(c.store, *cursor & ~uint64_t{0xff}, *o, keys);
  const uint32_t shard = c.shard.index();
  const size_t shards = c.shard.server().shard_count();
  uint64_t reply_cursor = 0;
  if (next != 0) {
    reply_cursor = (next & ~uint64_t{0xff}) | shard;
  } else if (shard + 1 < shards) {
    reply_cursor = shard + 1;
  }
  char digits[24];
  const auto printed = std::to_chars(digits, digits + sizeof digits, reply_cursor);
  c.out.array(2);
  c.out.bulk(std::string_view(digits, static_cast<size_t>(printed.ptr - digits)));
  c.out.array(keys.size());
  for (std::string_view k : keys) c.out.bulk(k);
}

void cmd_randomkey(Ctx& c) {
  const size_t slot = c.store.random_slot();
  if (slot == Store::npos) {
    c.out.null();
  } else {
    c.out.bulk(c.store.at(slot)->key());
  }
}

void cmd_dbsize(Ctx& c) {
  c.out.integer(static_cast<int64_t>(c.store.size()));
}

void cmd_flushdb(Ctx& c) {
  if (c.args.size() > 2 ||
      (c.args.size() == 2 && !equals_lower(c.args[1], "sync") && !equals_lower(c.args[1], "async"))) {
    c.out.error(err::kSyntax);
    return;
  }
  c.store.clear();
  c.out.ok();
}

void cmd_unlink(Ctx& c) {
  cmd_del(c);
}

}  // namespace weft::kv
