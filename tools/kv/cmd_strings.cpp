// String commands: GET, SET (EX/PX/EXAT/PXAT/NX/XX/KEEPTTL/GET), SETNX, SETEX, PSETEX,
// GETSET, GETDEL, MGET, MSET, MSETNX, INCR/DECR/INCRBY/DECRBY/INCRBYFLOAT, APPEND, STRLEN,
// GETRANGE, SETRANGE. Replies and errors follow Redis 7.0 (t_string.c).

#include <climits>
#include <cmath>
#include <cstring>

#include "cmd_util.h"
#include "families.h"
#include "server.h"

namespace weft::kv {
namespace {

constexpr uint32_t kNx = 1 << 0;
constexpr uint32_t kXx = 1 << 1;
constexpr uint32_t kEx = 1 << 2;
constexpr uint32_t kPx = 1 << 3;
constexpr uint32_t kKeepTtl = 1 << 4;
constexpr uint32_t kGet = 1 << 5;
constexpr uint32_t kExAt = 1 << 6;
constexpr uint32_t kPxAt = 1 << 7;
constexpr uint32_t kAnyExpiry = kEx | kPx | kExAt | kPxAt;

// Redis's getExpireMillisecondsOrReply: the absolute expiry in unix ms, or an error reply.
std::optional<int64_t> expiry_arg(Ctx& c, std::string_view arg, uint32_t flags, std::string_view command) {
  std::optional<int64_t> v = int_arg(c, arg);
  if (!v) return std::nullopt;
  int64_t ms = *v;
  const bool seconds = (flags & (kEx | kExAt)) != 0;
  if (ms <= 0 || (seconds && ms > INT64_MAX / 1000)) {
    c.out.error(err::expire_time(command));
    return std::nullopt;
  }
  if (seconds) ms *= 1000;
  if (flags & (kEx | kPx)) {
    if (ms > INT64_MAX - c.store.now()) {
      c.out.error(err::expire_time(command));
      return std::nullopt;
    }
    ms += c.store.now();
  }
  return ms;
}

// Replies with a string key's value (or null); false, with WRONGTYPE replied, for another type.
bool reply_value(Ctx& c, std::string_view key) {
  const size_t slot = c.store.find(key);
  if (slot == Store::npos) {
    Shard::bump(c.shard.misses);
    c.out.null();
    return true;
  }
  const Record* r = c.store.at(slot);
  if (r->type() != Type::string) {
    c.out.error(err::kWrongType);
    return false;
  }
  Shard::bump(c.shard.hits);
  c.out.bulk(r->value());
  return true;
}

// SET's generic part; flags as parsed, expire_at absolute (or kNoExpiry / kKeepExpiry).
void set_generic(Ctx& c, std::string_view key, std::string_view value, uint32_t flags, int64_t expire_at) {
  if ((flags & kGet) && !reply_value(c, key)) return;
  const uint64_t h = c.store.hash(key);
  const size_t slot = c.store.find(key, h);
  const bool found = slot != Store::npos;
  if (((flags & kNx) && found) || ((flags & kXx) && !found)) {
    if (!(flags & kGet)) c.out.null();
    return;
  }
  c.store.set_string(key, h, slot, value, expire_at);
  if (!(flags & kGet)) c.out.ok();
}

bool is_word(std::string_view s, std::string_view lower) {
  return equals_lower(s, lower);
}

// INCRBY and friends: adds incr to the integer in key.
void incr_by(Ctx& c, std::string_view key, int64_t incr) {
  const uint64_t h = c.store.hash(key);
  const size_t slot = c.store.find(key, h);
  int64_t value = 0;
  Record* r = nullptr;
  if (slot != Store::npos) {
    r = c.store.at(slot);
    if (r->type() != Type::string) {
      c.out.error(err::kWrongType);
      return;
    }
    std::optional<int64_t> v = parse_int(r->value());
    if (!v) {
      c.out.error(err::kNotInteger);
      return;
    }
    value = *v;
  }
  if ((incr < 0 && value < 0 && incr < INT64_MIN - value) || (incr > 0 && value > 0 && incr > INT64_MAX - value)) {
    c.out.error(err::kOverflow);
    return;
  }
  value += incr;
  char digits[24];
  const size_t n = format_int(value, digits);
  if (r != nullptr && r->value().size() == n) {
    std::memcpy(r->value_data(), digits, n);  // Same length: rewritten in place.
  } else {
    c.store.set_string(key, h, slot, std::string_view(digits, n), Store::kKeepExpiry);
  }
  c.out.integer(value);
}

}  // namespace

void cmd_get(Ctx& c) {
  reply_value(c, c.args[1]);
}

void cmd_set(Ctx& c) {
  uint32_t flags = 0;
  std::string_view expire;
  const Args a = c.args;
  for (size_t j = 3; j < a.size(); ++j) {
    const std::string_view opt = a[j];
    const bool next = j + 1 < a.size();
    if (is_word(opt, "nx") && !(flags & kXx)) {
      flags |= kNx;
    } else if (is_word(opt, "xx") && !(flags & kNx)) {
      flags |= kXx;
    } else if (is_word(opt, "get")) {
      flags |= kGet;
    } else if (is_word(opt, "keepttl") && !(flags & kAnyExpiry)) {
      flags |= kKeepTtl;
    } else if (is_word(opt, "ex") && !(flags & (kKeepTtl | kExAt | kPx | kPxAt)) && next) {
      flags |= kEx;
      expire = a[++j];
    } else if (is_word(opt, "px") && !(flags & (kKeepTtl | kEx | kExAt | kPxAt)) && next) {
      flags |= kPx;
      expire = a[++j];
    } else if (is_word(opt, "exat") && !(flags & (kKeepTtl | kEx | kPx | kPxAt)) && next) {
      flags |= kExAt;
      expire = a[++j];
    } else if (is_word(opt, "pxat") && !(flags & (kKeepTtl | kEx | kExAt | kPx)) && next) {
      flags |= kPxAt;
      expire = a[++j];
    } else {
      c.out.error(err::kSyntax);
      return;
    }
  }
  int64_t expire_at = (flags & kKeepTtl) ? Store::kKeepExpiry : Record::kNoExpiry;
  if (flags & kAnyExpiry) {
    std::optional<int64_t> at = expiry_arg(c, expire, flags, "set");
    if (!at) return;
    expire_at = *at;
  }
  set_generic(c, a[1], a[2], flags, expire_at);
}

void cmd_setnx(Ctx& c) {
  const uint64_t h = c.store.hash(c.args[1]);
  const size_t slot = c.store.find(c.args[1], h);
  if (slot != Store::npos) {
    c.out.integer(0);
    return;
  }
  c.store.set_string(c.args[1], h, slot, c.args[2], Record::kNoExpiry);
  c.out.integer(1);
}

void cmd_setex(Ctx& c) {
  std::optional<int64_t> at = expiry_arg(c, c.args[2], kEx, "setex");
  if (at) set_generic(c, c.args[1], c.args[3], 0, *at);
}

void cmd_psetex(Ctx& c) {
  std::optional<int64_t> at = expiry_arg(c, c.args[2], kPx, "psetex");
  if (at) set_generic(c, c.args[1], c.args[3], 0, *at);
}

void cmd_getset(Ctx& c) {
  if (!reply_value(c, c.args[1])) return;
  const uint64_t h = c.store.hash(c.args[1]);
  c.store.set_string(c.args[1], h, c.store.find(c.args[1], h), c.args[2], Record::kNoExpiry);
}

void cmd_getdel(Ctx& c) {
  if (!reply_value(c, c.args[1])) return;
  const size_t slot = c.store.find(c.args[1]);
  if (slot != Store::npos) c.store.erase(slot);
}

void cmd_mget(Ctx& c) {
  c.out.array(c.args.size() - 1);
  for (size_t i = 1; i < c.args.size(); ++i) {
    const size_t slot = c.store.find(c.args[i]);
    const Record* r = slot == Store::npos ? nullptr : c.store.at(slot);
    if (r == nullptr || r->type() != Type::string) {
      Shard::bump(c.shard.misses);
      c.out.null();
    } else {
      Shard::bump(c.shard.hits);
      c.out.bulk(r->value());
    }
  }
}

void cmd_mset(Ctx& c) {
  if (c.args.size() % 2 == 0) {
    c.out.error(err::arity("mset"));
    return;
  }
  for (size_t i = 1; i < c.args.size(); i += 2) {
    const uint64_t h = c.store.hash(c.args[i]);
    c.store.set_string(c.args[i], h, c.store.find(c.args[i], h), c.args[i + 1], Record::kNoExpiry);
  }
  c.out.ok();
}

void cmd_msetnx(Ctx& c) {
  if (c.args.size() % 2 == 0) {
    c.out.error(err::arity("msetnx"));
    return;
  }
  for (size_t i = 1; i < c.args.size(); i += 2) {
    if (c.store.find(c.args[i]) != Store::npos) {
      c.out.integer(0);
      return;
    }
  }
  for (size_t i = 1; i < c.args.size(); i += 2) {
    const uint64_t h = c.store.hash(c.args[i]);
    c.store.set_string(c.args[i], h, c.store.find(c.args[i], h), c.args[i + 1], Record::kNoExpiry);
  }
  c.out.integer(1);
}

void cmd_incr(Ctx& c) {
  incr_by(c, c.args[1], 1);
}
void cmd_decr(Ctx& c) {
  incr_by(c, c.args[1], -1);
}

void cmd_incrby(Ctx& c) {
  if (std::optional<int64_t> n = int_arg(c, c.args[2])) incr_by(c, c.args[1], *n);
}

void cmd_decrby(Ctx& c) {
  std::optional<int64_t> n = int_arg(c, c.args[2]);
  if (!n) return;
  if (*n == INT64_MIN) {
    c.out.error("ERR decrement would overflow");
    return;
  }
  incr_by(c, c.args[1], -*n);
}

void cmd_incrbyfloat(Ctx& c) {
  const std::string_view key = c.args[1];
  const uint64_t h = c.store.hash(key);
  const size_t slot = c.store.find(key, h);
  long double value = 0;
  if (slot != Store::npos) {
    const Record* r = c.store.at(slot);
    if (r->type() != Type::string) {
      c.out.error(err::kWrongType);
      return;
    }
    std::optional<long double> v = parse_long_double(r->value());
    if (!v) {
      c.out.error(err::kNotFloat);
      return;
    }
    value = *v;
  }
  std::optional<long double> incr = parse_long_double(c.args[2]);
  if (!incr) {
    c.out.error(err::kNotFloat);
    return;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    c.out.error("ERR increment would produce NaN or Infinity");
    return;
  }
  char text[5200];
  const size_t n = format_long_double(value, text, sizeof text);
  c.store.set_string(key, h, slot, std::string_view(text, n), Store::kKeepExpiry);
  c.out.bulk(std::string_view(text, n));
}

void cmd_append(Ctx& c) {
  const std::string_view key = c.args[1];
  const uint64_t h = c.store.hash(key);
  const size_t slot = c.store.find(key, h);
  if (slot == Store::npos) {
    c.store.set_string(key, h, slot, c.args[2], Record::kNoExpiry);
    c.out.integer(static_cast<int64_t>(c.args[2].size()));
    return;
  }
  const Record* r = c.store.at(slot);
  if (r->type() != Type::string) {
    c.out.error(err::kWrongType);
    return;
  }
  if (r->value().size() + c.args[2].size() > c.shard.server().options().max_bulk_length) {
    c.out.error(err::kStringTooLong);
    return;
  }
  std::string& joined = c.shard.scratch;
  joined.assign(r->value());
  joined.append(c.args[2]);
  c.store.set_string(key, h, slot, joined, Store::kKeepExpiry);
  c.out.integer(static_cast<int64_t>(joined.size()));
}

void cmd_strlen(Ctx& c) {
  bool wrong = false;
  const Record* r = read_key(c, c.args[1], Type::string, &wrong);
  if (!wrong) c.out.integer(r == nullptr ? 0 : static_cast<int64_t>(r->value().size()));
}

void cmd_getrange(Ctx& c) {
  std::optional<int64_t> start = int_arg(c, c.args[2]);
  if (!start) return;
  std::optional<int64_t> end = int_arg(c, c.args[3]);
  if (!end) return;
  bool wrong = false;
  const Record* r = read_key(c, c.args[1], Type::string, &wrong);
  if (wrong) return;
  const std::string_view v = r == nullptr ? std::string_view() : r->value();
  int64_t s = *start;
  int64_t e = *end;
  const auto len = static_cast<int64_t>(v.size());
  if (s < 0 && e < 0 && s > e) {
    c.out.bulk("");
    return;
  }
  if (s < 0) s += len;
  if (e < 0) e += len;
  if (s < 0) s = 0;
  if (e < 0) e = 0;
  if (e >= len) e = len - 1;
  if (s > e || len == 0) {
    c.out.bulk("");
    return;
  }
  c.out.bulk(v.substr(static_cast<size_t>(s), static_cast<size_t>(e - s + 1)));
}

void cmd_setrange(Ctx& c) {
  std::optional<int64_t> offset = int_arg(c, c.args[2]);
  if (!offset) return;
  if (*offset < 0) {
    c.out.error("ERR offset is out of range");
    return;
  }
  const std::string_view key = c.args[1];
  const std::string_view value = c.args[3];
  const uint64_t h = c.store.hash(key);
  const size_t slot = c.store.find(key, h);
  std::string& out = c.shard.scratch;
  out.clear();
  if (slot != Store::npos) {
    const Record* r = c.store.at(slot);
    if (r->type() != Type::string) {
      c.out.error(err::kWrongType);
      return;
    }
    if (value.empty()) {
      c.out.integer(static_cast<int64_t>(r->value().size()));
      return;
    }
    out.assign(r->value());
  } else if (value.empty()) {
    c.out.integer(0);
    return;
  }
  const auto end = static_cast<uint64_t>(*offset) + value.size();
  if (end > c.shard.server().options().max_bulk_length) {
    c.out.error(err::kStringTooLong);
    return;
  }
  if (out.size() < end) out.resize(end, '\0');
  std::memcpy(out.data() + *offset, value.data(), value.size());
  c.store.set_string(key, h, slot, out, Store::kKeepExpiry);
  c.out.integer(static_cast<int64_t>(out.size()));
}

}  // namespace weft::kv
