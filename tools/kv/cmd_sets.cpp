// Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP and SRANDMEMBER
// (with a count), SINTER, SUNION, SDIFF. Replies and errors follow Redis 7.0 (t_set.c);
// whole sets are RESP3 sets. Members come out in hash order, which is no order at all, as
// in Redis.

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "cmd_util.h"
#include "families.h"
#include "set_object.h"

namespace weft::kv {
namespace {

// The members of `count` distinct random picks (count < set size), copied.
std::vector<std::string> distinct_sample(Ctx& c, const SetObject& set, size_t count) {
  std::vector<std::string> out;
  if (count * 3 > set.size()) {
    // Most of the set: take all, then drop random ones.
    set.for_each([&](std::string_view m) { out.emplace_back(m); });
    while (out.size() > count) {
      const size_t i = c.shard.random() % out.size();
      out[i] = std::move(out.back());
      out.pop_back();
    }
    return out;
  }
  std::unordered_set<std::string_view> chosen;
  while (chosen.size() < count) chosen.insert(set.random_member(c.shard.random()));
  for (std::string_view m : chosen) out.emplace_back(m);
  return out;
}

}  // namespace

void cmd_sadd(Ctx& c) {
  const std::string_view key = c.args[1];
  Opened<SetObject> o = open_object<SetObject>(c, key, Type::set, true);
  if (o.wrong_type) return;
  const size_t before = o.object->footprint();
  int64_t added = 0;
  for (size_t i = 2; i < c.args.size(); ++i) added += o.object->add(c.args[i]) ? 1 : 0;
  changed(c, key, o, before);
  c.out.integer(added);
}

void cmd_srem(Ctx& c) {
  const std::string_view key = c.args[1];
  Opened<SetObject> o = open_object<SetObject>(c, key, Type::set, false);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    c.out.integer(0);
    return;
  }
  const size_t before = o.object->footprint();
  int64_t removed = 0;
  for (size_t i = 2; i < c.args.size() && o.object->size() != 0; ++i) removed += o.object->remove(c.args[i]) ? 1 : 0;
  changed(c, key, o, before);
  c.out.integer(removed);
}

void cmd_smembers(Ctx& c) {
  Opened<SetObject> o = open_object<SetObject>(c, c.args[1], Type::set, false, true);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    c.out.set(0);
    return;
  }
  c.out.set(o.object->size());
  o.object->for_each([&](std::string_view m) { c.out.bulk(m); });
}

void cmd_sismember(Ctx& c) {
  Opened<SetObject> o = open_object<SetObject>(c, c.args[1], Type::set, false, true);
  if (!o.wrong_type) c.out.integer(o.object != nullptr && o.object->contains(c.args[2]) ? 1 : 0);
}

void cmd_smismember(Ctx& c) {
  Opened<SetObject> o = open_object<SetObject>(c, c.args[1], Type::set, false, true);
  if (o.wrong_type) return;
  c.out.array(c.args.size() - 2);
  for (size_t i = 2; i < c.args.size(); ++i)
    c.out.integer(o.object != nullptr && o.object->contains(c.args[i]) ? 1 : 0);
}

void cmd_scard(Ctx& c) {
  Opened<SetObject> o = open_object<SetObject>(c, c.args[1], Type::set, false, true);
  if (!o.wrong_type) c.out.integer(o.object == nullptr ? 0 : static_cast<int64_t>(o.object->size()));
}

void cmd_spop(Ctx& c) {
  if (c.args.size() > 3) {
    c.out.error(err::kSyntax);
    return;
  }
  const bool has_count = c.args.size() == 3;
  int64_t count = 0;
  if (has_count) {
    std::optional<int64_t> n = int_arg(c, c.args[2]);
    if (!n) return;
    if (*n < 0) {
      c.out.error(err::kNotPositive);
      return;
    }
    count = *n;
  }
  const std::string_view key = c.args[1];
  Opened<SetObject> o = open_object<SetObject>(c, key, Type::set, false);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    if (has_count) {
      c.out.set(0);
    } else {
      c.out.null();
    }
    return;
  }
  SetObject& set = *o.object;
  const size_t before = set.footprint();
  if (!has_count) {
    // Replied before it is removed: the view is into the set.
    const std::string_view m = set.random_member(c.shard.random());
    c.out.bulk(m);
    set.remove(m);
  } else if (static_cast<size_t>(count) >= set.size()) {
    c.out.set(set.size());
    set.for_each([&](std::string_view m) { c.out.bulk(m); });
    std::vector<std::string> all;
    set.for_each([&](std::string_view m) { all.emplace_back(m); });
    for (const std::string& m : all) set.remove(m);
  } else {
    const std::vector<std::string> picked = distinct_sample(c, set, static_cast<size_t>(count));
    c.out.set(picked.size());
    for (const std::string& m : picked) {
      c.out.bulk(m);
      set.remove(m);
    }
  }
  changed(c, key, o, before);
}

void cmd_srandmember(Ctx& c) {
  if (c.args.size() > 3) {
    c.out.error(err::kSyntax);
    return;
  }
  if (c.args.size() == 2) {
    Opened<SetObject> o = open_object<SetObject>(c, c.args[1], Type::set, false, true);
    if (o.wrong_type) return;
    if (o.object == nullptr) {
      c.out.null();
    } else {
      c.out.bulk(o.object->random_member(c.shard.random()));
    }
    return;
  }
  std::optional<int64_t> n = int_arg(c, c.args[2]);
  if (!n) return;
  if (*n == INT64_MIN) {
    c.out.error("ERR value is out of range");
    return;
  }
  Opened<SetObject> o = open_object<SetObject>(c, c.args[1], Type::set, false, true);
  if (o.wrong_type) return;
  if (o.object == nullptr || *n == 0) {
    c.out.array(0);
    return;
  }
  const SetObject& set = *o.object;
  if (*n < 0) {
    // Repeats allowed: |n| independent picks.
    const auto count = static_cast<size_t>(-*n);
    c.out.array(count);
    for (size_t i = 0; i < count; ++i) c.out.bulk(set.random_member(c.shard.random()));
    return;
  }
  if (static_cast<size_t>(*n) >= set.size()) {
    c.out.array(set.size());
    set.for_each([&](std::string_view m) { c.out.bulk(m); });
    return;
  }
  const std::vector<std::string> picked = distinct_sample(c, set, static_cast<size_t>(*n));
  c.out.array(picked.size());
  for (const std::string& m : picked) c.out.bulk(m);
}

void set_algebra(Ctx& c, SetOp op, Args keys) {
  std::vector<const SetObject*> sets;
  for (std::string_view key : keys) {
    Opened<SetObject> o = open_object<SetObject>(c, key, Type::set, false, true);
    if (o.wrong_type) return;
    sets.push_back(o.object);
  }
  std::vector<std::string_view> out;
  switch (op) {
    case SetOp::inter: {
      for (const SetObject* s : sets) {
        if (s == nullptr) {
          c.out.set(0);
          return;
        }
      }
      std::vector<const SetObject*> by_size = sets;
      std::sort(by_size.begin(), by_size.end(), [](auto* a, auto* b) { return a->size() < b->size(); });
      by_size[0]->for_each([&](std::string_view m) {
        for (size_t i = 1; i < by_size.size(); ++i) {
          if (!by_size[i]->contains(m)) return;
        }
        out.push_back(m);
      });
      break;
    }
    case SetOp::union_: {
      std::unordered_set<std::string_view> seen;
      for (const SetObject* s : sets) {
        if (s == nullptr) continue;
        s->for_each([&](std::string_view m) {
          if (seen.insert(m).second) out.push_back(m);
        });
      }
      break;
    }
    case SetOp::diff: {
      if (sets[0] == nullptr) break;
      sets[0]->for_each([&](std::string_view m) {
        for (size_t i = 1; i < sets.size(); ++i) {
          if (sets[i] != nullptr && sets[i]->contains(m)) return;
        }
        out.push_back(m);
      });
      break;
    }
  }
  c.out.set(out.size());
  for (std::string_view m : out) c.out.bulk(m);
}

void cmd_sinter(Ctx& c) {
  set_algebra(c, SetOp::inter, c.args.subspan(1));
}
void cmd_sunion(Ctx& c) {
  set_algebra(c, SetOp::union_, c.args.subspan(1));
}
void cmd_sdiff(Ctx& c) {
  set_algebra(c, SetOp::diff, c.args.subspan(1));
}

}  // namespace weft::kv
