// List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP and RPOP (with a count), LLEN, LRANGE,
// LINDEX, LSET, LREM, LTRIM. Replies and errors follow Redis 7.0 (t_list.c), including the
// order in which arguments and the key are checked.

#include "cmd_util.h"
#include "families.h"
#include "list.h"

namespace weft::kv {
namespace {

void push(Ctx& c, bool front, bool only_existing) {
  const std::string_view key = c.args[1];
  Opened<List> o = open_object<List>(c, key, Type::list, !only_existing);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    c.out.integer(0);
    return;
  }
  const size_t before = o.object->footprint();
  for (size_t i = 2; i < c.args.size(); ++i) {
    if (front) {
      o.object->push_front(c.args[i]);
    } else {
      o.object->push_back(c.args[i]);
    }
  }
  c.out.integer(static_cast<int64_t>(o.object->size()));
  changed(c, key, o, before);
}

// LRANGE's index rules: negatives count from the end, the range is clipped to the list.
// Returns false when the range is empty.
bool clip(int64_t& start, int64_t& end, int64_t length) {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return false;
  if (end >= length) end = length - 1;
  return true;
}

void pop(Ctx& c, bool front) {
  if (c.args.size() > 3) {
    c.out.error(err::arity(front ? "lpop" : "rpop"));
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
  Opened<List> o = open_object<List>(c, key, Type::list, false);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    if (has_count) {
      c.out.null_array();
    } else {
      c.out.null();
    }
    return;
  }
  List& list = *o.object;
  if (has_count && count == 0) {
    c.out.array(0);
    return;
  }
  const size_t before = list.footprint();
  if (!has_count) {
    c.out.bulk(list.at(front ? 0 : list.size() - 1));
    if (front) {
      list.pop_front();
    } else {
      list.pop_back();
    }
  } else {
    const size_t n = std::min(static_cast<size_t>(count), list.size());
    c.out.array(n);
    for (size_t i = 0; i < n; ++i) c.out.bulk(list.at(front ? i : list.size() - 1 - i));
    if (front) {
      list.pop_front(n);
    } else {
      list.pop_back(n);
    }
  }
  changed(c, key, o, before);
}

}  // namespace

void cmd_lpush(Ctx& c) {
  push(c, true, false);
}
void cmd_rpush(Ctx& c) {
  push(c, false, false);
}
void cmd_lpushx(Ctx& c) {
  push(c, true, true);
}
void cmd_rpushx(Ctx& c) {
  push(c, false, true);
}
void cmd_lpop(Ctx& c) {
  pop(c, true);
}
void cmd_rpop(Ctx& c) {
  pop(c, false);
}

void cmd_llen(Ctx& c) {
  Opened<List> o = open_object<List>(c, c.args[1], Type::list, false, true);
  if (!o.wrong_type) c.out.integer(o.object == nullptr ? 0 : static_cast<int64_t>(o.object->size()));
}

void cmd_lrange(Ctx& c) {
  std::optional<int64_t> start = int_arg(c, c.args[2]);
  if (!start) return;
  std::optional<int64_t> end = int_arg(c, c.args[3]);
  if (!end) return;
  Opened<List> o = open_object<List>(c, c.args[1], Type::list, false, true);
  if (o.wrong_type) return;
  int64_t s = *start;
  int64_t e = *end;
  if (o.object == nullptr || !clip(s, e, static_cast<int64_t>(o.object->size()))) {
    c.out.array(0);
    return;
  }
  c.out.array(static_cast<size_t>(e - s + 1));
  for (int64_t i = s; i <= e; ++i) c.out.bulk(o.object->at(static_cast<size_t>(i)));
}

void cmd_lindex(Ctx& c) {
  Opened<List> o = open_object<List>(c, c.args[1], Type::list, false, true);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    c.out.null();
    return;
  }
  std::optional<int64_t> index = int_arg(c, c.args[2]);
  if (!index) return;
  const auto n = static_cast<int64_t>(o.object->size());
  const int64_t i = *index < 0 ? *index + n : *index;
  if (i < 0 || i >= n) {
    c.out.null();
  } else {
    c.out.bulk(o.object->at(static_cast<size_t>(i)));
  }
}

void cmd_lset(Ctx& c) {
  const std::string_view key = c.args[1];
  Opened<List> o = open_object<List>(c, key, Type::list, false);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    c.out.error(err::kNoSuchKey);
    return;
  }
  std::optional<int64_t> index = int_arg(c, c.args[2]);
  if (!index) return;
  const auto n = static_cast<int64_t>(o.object->size());
  const int64_t i = *index < 0 ? *index + n : *index;
  if (i < 0 || i >= n) {
    c.out.error(err::kIndexOutOfRange);
    return;
  }
  const size_t before = o.object->footprint();
  o.object->set(static_cast<size_t>(i), c.args[3]);
  changed(c, key, o, before);
  c.out.ok();
}

void cmd_lrem(Ctx& c) {
  std::optional<int64_t> count = int_arg(c, c.args[2]);
  if (!count) return;
  const std::string_view key = c.args[1];
  Opened<List> o = open_object<List>(c, key, Type::list, false);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    c.out.integer(0);
    return;
  }
  const size_t before = o.object->footprint();
  const int64_t n = *count;
  // INT64_MIN has no positive counterpart; it removes as many as there can be.
  const size_t limit = n == INT64_MIN ? SIZE_MAX : static_cast<size_t>(n < 0 ? -n : n);
  const size_t removed = o.object->remove(c.args[3], limit, n < 0);
  changed(c, key, o, before);
  c.out.integer(static_cast<int64_t>(removed));
}

void cmd_ltrim(Ctx& c) {
  std::optional<int64_t> start = int_arg(c, c.args[2]);
  if (!start) return;
  std::optional<int64_t> end = int_arg(c, c.args[3]);
  if (!end) return;
  const std::string_view key = c.args[1];
  Opened<List> o = open_object<List>(c, key, Type::list, false);
  if (o.wrong_type) return;
  if (o.object == nullptr) {
    c.out.ok();
    return;
  }
  List& list = *o.object;
  const auto n = static_cast<int64_t>(list.size());
  int64_t s = *start;
  int64_t e = *end;
  const size_t before = list.footprint();
  if (!clip(s, e, n)) {
    list.pop_front(list.size());
  } else {
    list.pop_back(static_cast<size_t>(n - 1 - e));
    list.pop_front(static_cast<size_t>(s));
  }
  changed(c, key, o, before);
  c.out.ok();
}

}  // namespace weft::kv
