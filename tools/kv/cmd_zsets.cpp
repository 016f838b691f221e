// Sorted set commands: ZADD (NX/XX/GT/LT/CH/INCR), ZINCRBY, ZREM, ZSCORE, ZCARD, ZCOUNT,
// ZRANK, ZREVRANK, ZRANGE (by rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), ZPOPMIN,
// ZPOPMAX. Replies and errors follow Redis 7.0 (t_zset.c): scores are doubles ("%.17g",
// RESP3 doubles), and WITHSCORES pairs are nested arrays in RESP3.

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cmd_util.h"
#include "families.h"
#include "zset_object.h"

namespace weft::kv {
namespace {

constexpr std::string_view kNan = "ERR resulting score is not a number (NaN)";

struct ScoreBound {
  double value = 0;
  bool exclusive = false;
};

// ZRANGE BYSCORE's bounds, as Redis's zslParseRange reads them: strtod after an optional
// '(' (exclusive), every byte used, not NaN.
std::optional<ScoreBound> parse_bound(std::string_view text) {
  ScoreBound b;
  if (!text.empty() && text[0] == '(') {
    b.exclusive = true;
    text.remove_prefix(1);
  }
  std::string copy(text);
  char* end = nullptr;
  b.value = std::strtod(copy.c_str(), &end);
  if (*end != '\0' || std::isnan(b.value)) return std::nullopt;
  return b;
}

struct LexBound {
  std::string value;
  bool exclusive = false;
  int infinity = 0;  // -1 for "-", +1 for "+".
};

std::optional<LexBound> parse_lex(std::string_view text) {
  LexBound b;
  if (text == "-") {
    b.infinity = -1;
  } else if (text == "+") {
    b.infinity = 1;
  } else if (!text.empty() && (text[0] == '(' || text[0] == '[')) {
    b.exclusive = text[0] == '(';
    b.value.assign(text.substr(1));
  } else {
    return std::nullopt;
  }
  return b;
}

bool above_min(std::string_view m, const LexBound& min) {
  if (min.infinity != 0) return min.infinity < 0;
  return min.exclusive ? m > min.value : m >= min.value;
}
bool below_max(std::string_view m, const LexBound& max) {
  if (max.infinity != 0) return max.infinity > 0;
  return max.exclusive ? m < max.value : m <= max.value;
}

// Writes entries, as ZRANGE replies them: member, then score when asked (a pair array in
// RESP3).
void reply_entries(Ctx& c, const std::vector<const ZEntry*>& entries, bool scores) {
  const bool pairs = scores && c.out.protocol() == resp::Protocol::resp3;
  c.out.array(scores && !pairs ? entries.size() * 2 : entries.size());
  for (const ZEntry* e : entries) {
    if (pairs) c.out.array(2);
    c.out.bulk(e->member.view());
    if (scores) c.out.double_value(e->score);
  }
}

void zadd_generic(Ctx& c, bool incr_command) {
  const Args a = c.args;
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = incr_command;
  size_t at = 2;
  if (!incr_command) {
    for (; at < a.size(); ++at) {
      if (equals_lower(a[at], "nx"))
        nx = true;
      else if (equals_lower(a[at], "xx"))
        xx = true;
      else if (equals_lower(a[at], "ch"))
        ch = true;
      else if (equals_lower(a[at], "incr"))
        incr = true;
      else if (equals_lower(a[at], "gt"))
        gt = true;
      else if (equals_lower(a[at], "lt"))
        lt = true;
      else
        break;
    }
  }
  const size_t elements = a.size() - at;
  if (elements % 2 != 0 || elements == 0) {
    c.out.error(err::kSyntax);
    return;
  }
  const size_t pairs = elements / 2;
  if (nx && xx) {
    c.out.error("ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    c.out.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  if (incr && pairs > 1) {
    c.out.error("ERR INCR option supports a single increment-element pair");
    return;
  }
  // Every score first: the command runs whole or not at all.
  std::vector<double>& scores = c.shard.doubles;
  scores.clear();
  for (size_t j = 0; j < pairs; ++j) {
    std::optional<double> s = parse_double(a[at + 2 * j]);
    if (!s) {
      c.out.error(err::kNotFloat);
      return;
    }
    scores.push_back(*s);
  }
  const std::string_view key = a[1];
  Opened<ZSetObject> o = open_object<ZSetObject>(c, key, Type::zset, false);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    if (xx) {
      if (incr) {
        c.out.null();
      } else {
        c.out.integer(0);
      }
      return;
    }
    o = open_object<ZSetObject>(c, key, Type::zset, true);
  }
  ZSetObject& z = *o.object;
  const size_t before = z.footprint();
  int64_t added = 0, updated = 0, processed = 0;
  double last = 0;
  for (size_t j = 0; j < pairs; ++j) {
    const std::string_view member = a[at + 2 * j + 1];
    double score = scores[j];
    if (std::optional<double> current = z.score(member)) {
      if (nx) continue;
      if (incr) {
        score += *current;
        if (std::isnan(score)) {
          changed(c, key, o, before);
          c.out.error(kNan);
          return;
        }
      }
      if ((gt && score <= *current) || (lt && score >= *current)) continue;
      if (score != *current) {
        z.set(member, score);
        ++updated;
      }
    } else {
      if (xx) continue;
      z.set(member, score);
      ++added;
    }
    ++processed;
    last = score;
  }
  changed(c, key, o, before);
  if (incr) {
    if (processed != 0) {
      c.out.double_value(last);
    } else {
      c.out.null();
    }
  } else {
    c.out.integer(ch ? added + updated : added);
  }
}

void rank_generic(Ctx& c, bool reverse) {
  Opened<ZSetObject> o = open_object<ZSetObject>(c, c.args[1], Type::zset, false, true);
  if (o.wrong_type) return;
  std::optional<size_t> r = o.object == nullptr ? std::nullopt : o.object->rank(c.args[2], reverse);
  if (r) {
    c.out.integer(static_cast<int64_t>(*r));
  } else {
    c.out.null();
  }
}

void pop_generic(Ctx& c, bool max) {
  if (c.args.size() > 3) {
    c.out.error(err::kSyntax);
    return;
  }
  int64_t count = -1;
  if (c.args.size() == 3) {
    std::optional<int64_t> n = int_arg(c, c.args[2]);
    if (!n) return;
    if (*n < 0) {
      c.out.error(err::kNotPositive);
      return;
    }
    count = *n;
  }
  const std::string_view key = c.args[1];
  Opened<ZSetObject> o = open_object<ZSetObject>(c, key, Type::zset, false);
  if (o.wrong_type) return;
  if (o.object == nullptr || count == 0) {
    c.out.array(0);
    return;
  }
  ZSetObject& z = *o.object;
  const bool nested = c.out.protocol() == resp::Protocol::resp3 && count != -1;
  const size_t n = std::min<size_t>(count == -1 ? 1 : static_cast<size_t>(count), z.size());
  c.out.array(nested ? n : n * 2);
  const size_t before = z.footprint();
  std::string& member = c.shard.scratch;
  for (size_t i = 0; i < n; ++i) {
    const ZEntry& e = z.index().at(max ? z.index().last() : z.index().begin());
    member.assign(e.member.view());
    const double score = e.score;
    if (nested) c.out.array(2);
    c.out.bulk(member);
    c.out.double_value(score);
    z.remove(member);
  }
  changed(c, key, o, before);
}

}  // namespace

void cmd_zadd(Ctx& c) {
  zadd_generic(c, false);
}
void cmd_zincrby(Ctx& c) {
  zadd_generic(c, true);
}

void cmd_zrem(Ctx& c) {
  const std::string_view key = c.args[1];
  Opened<ZSetObject> o = open_object<ZSetObject>(c, key, Type::zset, false);
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

void cmd_zscore(Ctx& c) {
  Opened<ZSetObject> o = open_object<ZSetObject>(c, c.args[1], Type::zset, false, true);
  if (o.wrong_type) return;
  std::optional<double> s = o.object == nullptr ? std::nullopt : o.object->score(c.args[2]);
  if (s) {
    c.out.double_value(*s);
  } else {
    c.out.null();
  }
}

void cmd_zcard(Ctx& c) {
  Opened<ZSetObject> o = open_object<ZSetObject>(c, c.args[1], Type::zset, false, true);
  if (!o.wrong_type) c.out.integer(o.object == nullptr ? 0 : static_cast<int64_t>(o.object->size()));
}

void cmd_zcount(Ctx& c) {
  std::optional<ScoreBound> min = parse_bound(c.args[2]);
  std::optional<ScoreBound> max = parse_bound(c.args[3]);
  if (!min || !max) {
    c.out.error("ERR min or max is not a float");
    return;
  }
  Opened<ZSetObject> o = open_object<ZSetObject>(c, c.args[1], Type::zset, false, true);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    c.out.integer(0);
    return;
  }
  const ZIndex& index = o.object->index();
  const ZIndex::Pos first = index.first_from(min->value, min->exclusive);
  const ZIndex::Pos last = index.last_until(max->value, max->exclusive);
  if (!index.valid(first) || !index.valid(last)) {
    c.out.integer(0);
    return;
  }
  const size_t a = index.rank_of(first);
  const size_t b = index.rank_of(last);
  c.out.integer(b >= a ? static_cast<int64_t>(b - a + 1) : 0);
}

void cmd_zrank(Ctx& c) {
  rank_generic(c, false);
}
void cmd_zrevrank(Ctx& c) {
  rank_generic(c, true);
}
void cmd_zpopmin(Ctx& c) {
  pop_generic(c, false);
}
void cmd_zpopmax(Ctx& c) {
  pop_generic(c, true);
}

void cmd_zrange(Ctx& c) {
  const Args a = c.args;
  bool withscores = false, rev = false, byscore = false, bylex = false, has_limit = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = 4; j < a.size(); ++j) {
    const size_t left = a.size() - j - 1;
    if (equals_lower(a[j], "withscores")) {
      withscores = true;
    } else if (equals_lower(a[j], "limit") && left >= 2) {
      std::optional<int64_t> o = int_arg(c, a[j + 1]);
      if (!o) return;
      std::optional<int64_t> l = int_arg(c, a[j + 2]);
      if (!l) return;
      offset = *o;
      limit = *l;
      has_limit = true;
      j += 2;
    } else if (equals_lower(a[j], "rev")) {
      rev = true;
    } else if (equals_lower(a[j], "bylex") && !byscore && !bylex) {
      bylex = true;
    } else if (equals_lower(a[j], "byscore") && !byscore && !bylex) {
      byscore = true;
    } else {
      c.out.error(err::kSyntax);
      return;
    }
  }
  if (has_limit && !byscore && !bylex) {
    c.out.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return;
  }
  if (withscores && bylex) {
    c.out.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return;
  }
  // With REV, BYSCORE and BYLEX take the range as max, then min.
  const std::string_view lo = (rev && (byscore || bylex)) ? a[3] : a[2];
  const std::string_view hi = (rev && (byscore || bylex)) ? a[2] : a[3];
  std::optional<ScoreBound> min_score, max_score;
  std::optional<LexBound> min_lex, max_lex;
  int64_t start = 0, end = 0;
  if (byscore) {
    min_score = parse_bound(lo);
    max_score = parse_bound(hi);
    if (!min_score || !max_score) {
      c.out.error("ERR min or max is not a float");
      return;
    }
  } else if (bylex) {
    min_lex = parse_lex(lo);
    max_lex = parse_lex(hi);
    if (!min_lex || !max_lex) {
      c.out.error("ERR min or max not valid string range item");
      return;
    }
  } else {
    std::optional<int64_t> s = int_arg(c, lo);
    if (!s) return;
    std::optional<int64_t> e = int_arg(c, hi);
    if (!e) return;
    start = *s;
    end = *e;
  }
  Opened<ZSetObject> o = open_object<ZSetObject>(c, a[1], Type::zset, false, true);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    c.out.array(0);
    return;
  }
  const ZIndex& index = o.object->index();
  const auto length = static_cast<int64_t>(index.size());
  std::vector<const ZEntry*>& picked = c.shard.entries;
  picked.clear();
  if (!byscore && !bylex) {
    if (start < 0) start += length;
    if (end < 0) end += length;
    if (start < 0) start = 0;
    if (!(start > end || start >= length)) {
      if (end >= length) end = length - 1;
      ZIndex::Pos p = index.pos_of(static_cast<size_t>(rev ? length - 1 - start : start));
      for (int64_t i = start; i <= end; ++i) {
        picked.push_back(&index.at(p));
        if (rev) {
          index.prev(p);
        } else {
          index.next(p);
        }
      }
    }
  } else {
    // Walk from the range's first end, skip `offset`, take up to `limit` (negative: all).
    ZIndex::Pos p;
    if (byscore) {
      p = rev ? index.last_until(max_score->value, max_score->exclusive)
              : index.first_from(min_score->value, min_score->exclusive);
    } else {
      p = rev ? index.last() : index.begin();
    }
    auto in_range = [&](const ZEntry& e) {
      if (byscore) {
        return rev ? (min_score->exclusive ? e.score > min_score->value : e.score >= min_score->value)
                   : (max_score->exclusive ? e.score < max_score->value : e.score <= max_score->value);
      }
      return rev ? above_min(e.member.view(), *min_lex) : below_max(e.member.view(), *max_lex);
    };
    auto step = [&] {
      if (rev) {
        index.prev(p);
      } else {
        index.next(p);
      }
    };
    // BYLEX from an end: first skip what lies before the range's start.
    if (bylex) {
      while (index.valid(p) &&
             !(rev ? below_max(index.at(p).member.view(), *max_lex) : above_min(index.at(p).member.view(), *min_lex))) {
        step();
      }
    }
    if (offset < 0 || (offset > 0 && offset >= length)) p.block = static_cast<size_t>(-1);
    for (int64_t skip = offset; skip > 0 && index.valid(p); --skip) step();
    while (index.valid(p) && limit != 0 && in_range(index.at(p))) {
      picked.push_back(&index.at(p));
      if (limit > 0) --limit;
      step();
    }
  }
  reply_entries(c, picked, withscores);
}

}  // namespace weft::kv
