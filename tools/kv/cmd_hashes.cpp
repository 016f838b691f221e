// Hash commands: HSET, HMSET, HSETNX, HGET, HMGET, HDEL, HGETALL, HLEN, HEXISTS, HINCRBY,
// HKEYS, HVALS, HSTRLEN. Replies and errors follow Redis 7.0 (t_hash.c); HGETALL is a map
// in RESP3.

#include "cmd_util.h"
#include "families.h"
#include "hash_object.h"

namespace weft::kv {
namespace {

void set_pairs(Ctx& c, bool reply_ok) {
  if (c.args.size() % 2 == 1) {
    c.out.error(err::arity(reply_ok ? "hmset" : "hset"));
    return;
  }
  const std::string_view key = c.args[1];
  Opened<HashObject> o = open_object<HashObject>(c, key, Type::hash, true);
  if (o.wrong_type) return;
  const size_t before = o.object->footprint();
  int64_t created = 0;
  for (size_t i = 2; i < c.args.size(); i += 2) created += o.object->set(c.args[i], c.args[i + 1]) ? 1 : 0;
  changed(c, key, o, before);
  if (reply_ok) {
    c.out.ok();
  } else {
    c.out.integer(created);
  }
}

// The fields, the values, or both (HKEYS, HVALS, HGETALL).
void reply_all(Ctx& c, bool fields, bool values) {
  Opened<HashObject> o = open_object<HashObject>(c, c.args[1], Type::hash, false, true);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    if (fields && values) {
      c.out.map(0);
    } else {
      c.out.array(0);
    }
    return;
  }
  if (fields && values) {
    c.out.map(o.object->size());
  } else {
    c.out.array(o.object->size());
  }
  o.object->for_each([&](std::string_view f, std::string_view v) {
    if (fields) c.out.bulk(f);
    if (values) c.out.bulk(v);
  });
}

}  // namespace

void cmd_hset(Ctx& c) {
  set_pairs(c, false);
}
void cmd_hmset(Ctx& c) {
  set_pairs(c, true);
}

void cmd_hsetnx(Ctx& c) {
  const std::string_view key = c.args[1];
  Opened<HashObject> o = open_object<HashObject>(c, key, Type::hash, true);
  if (o.wrong_type) return;
  if (o.object->get(c.args[2]) != nullptr) {
    c.out.integer(0);
    return;
  }
  const size_t before = o.object->footprint();
  o.object->set(c.args[2], c.args[3]);
  changed(c, key, o, before);
  c.out.integer(1);
}

void cmd_hget(Ctx& c) {
  Opened<HashObject> o = open_object<HashObject>(c, c.args[1], Type::hash, false, true);
  if (o.wrong_type) return;
  const Str* v = o.object == nullptr ? nullptr : o.object->get(c.args[2]);
  if (v == nullptr) {
    c.out.null();
  } else {
    c.out.bulk(v->view());
  }
}

void cmd_hmget(Ctx& c) {
  Opened<HashObject> o = open_object<HashObject>(c, c.args[1], Type::hash, false, true);
  if (o.wrong_type) return;
  c.out.array(c.args.size() - 2);
  for (size_t i = 2; i < c.args.size(); ++i) {
    const Str* v = o.object == nullptr ? nullptr : o.object->get(c.args[i]);
    if (v == nullptr) {
      c.out.null();
    } else {
      c.out.bulk(v->view());
    }
  }
}

void cmd_hdel(Ctx& c) {
  const std::string_view key = c.args[1];
  Opened<HashObject> o = open_object<HashObject>(c, key, Type::hash, false);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    c.out.integer(0);
    return;
  }
  const size_t before = o.object->footprint();
  int64_t deleted = 0;
  for (size_t i = 2; i < c.args.size() && o.object->size() != 0; ++i) deleted += o.object->erase(c.args[i]) ? 1 : 0;
  changed(c, key, o, before);
  c.out.integer(deleted);
}

void cmd_hgetall(Ctx& c) {
  reply_all(c, true, true);
}
void cmd_hkeys(Ctx& c) {
  reply_all(c, true, false);
}
void cmd_hvals(Ctx& c) {
  reply_all(c, false, true);
}

void cmd_hlen(Ctx& c) {
  Opened<HashObject> o = open_object<HashObject>(c, c.args[1], Type::hash, false, true);
  if (!o.wrong_type) c.out.integer(o.object == nullptr ? 0 : static_cast<int64_t>(o.object->size()));
}

void cmd_hexists(Ctx& c) {
  Opened<HashObject> o = open_object<HashObject>(c, c.args[1], Type::hash, false, true);
  if (!o.wrong_type) c.out.integer(o.object != nullptr && o.object->get(c.args[2]) != nullptr ? 1 : 0);
}

void cmd_hstrlen(Ctx& c) {
  Opened<HashObject> o = open_object<HashObject>(c, c.args[1], Type::hash, false, true);
  if (o.wrong_type) return;
  const Str* v = o.object == nullptr ? nullptr : o.object->get(c.args[2]);
  c.out.integer(v == nullptr ? 0 : static_cast<int64_t>(v->view().size()));
}

void cmd_hincrby(Ctx& c) {
  std::optional<int64_t> incr = int_arg(c, c.args[3]);
  if (!incr) return;
  const std::string_view key = c.args[1];
  Opened<HashObject> o = open_object<HashObject>(c, key, Type::hash, true);
  if (o.wrong_type) return;
  int64_t value = 0;
  if (const Str* v = o.object->get(c.args[2])) {
    std::optional<int64_t> current = parse_int(v->view());
    if (!current) {
      c.out.error("ERR hash value is not an integer");
      return;
    }
    value = *current;
  }
  if ((*incr < 0 && value < 0 && *incr < INT64_MIN - value) || (*incr > 0 && value > 0 && *incr > INT64_MAX - value)) {
    c.out.error(err::kOverflow);
    return;
  }
  value += *incr;
  char digits[24];
  const size_t before = o.object->footprint();
  o.object->set(c.args[2], std::string_view(digits, format_int(value, digits)));
  changed(c, key, o, before);
  c.out.integer(value);
}

}  // namespace weft::kv
