// The container types against simple models (std::deque, std::map, std::set), with enough
// random operations to wrap rings, split and merge blocks, and convert small hashes.

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <set>
#include <string>

#include "hash_object.h"
#include "list.h"
#include "set_object.h"
#include "zset_object.h"

namespace weft::kv {
namespace {

// prefix + n (GCC 12 warns, wrongly, about "literal" + std::string).
std::string name(const char* prefix, unsigned n, size_t padding = 0) {
  std::string s = prefix;
  s += std::to_string(n);
  s.append(padding, 'z');
  return s;
}

std::string value(std::mt19937& rng) {
  // Short (inline) and long (heap) strings.
  const size_t n = rng() % 3 == 0 ? 16 + rng() % 40 : rng() % 10;
  std::string s(n, 'a');
  for (char& ch : s) ch = static_cast<char>('a' + rng() % 4);
  return s;
}

TEST(List, MatchesADeque) {
  std::mt19937 rng(1);
  List list;
  std::deque<std::string> model;
  for (int step = 0; step < 20000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    if (op < 3) {
      const std::string v = value(rng);
      list.push_front(v);
      model.push_front(v);
    } else if (op < 6) {
      const std::string v = value(rng);
      list.push_back(v);
      model.push_back(v);
    } else if (op == 6 && !model.empty()) {
      const size_t n = rng() % 4;
      list.pop_front(n);
      for (size_t i = 0; i < n && !model.empty(); ++i) model.pop_front();
    } else if (op == 7 && !model.empty()) {
      const size_t n = rng() % 4;
      list.pop_back(n);
      for (size_t i = 0; i < n && !model.empty(); ++i) model.pop_back();
    } else if (op == 8 && !model.empty()) {
      const size_t i = rng() % model.size();
      const std::string v = value(rng);
      list.set(i, v);
      model[i] = v;
    } else if (op == 9 && !model.empty()) {
      const std::string v = model[rng() % model.size()];
      const size_t limit = rng() % 3;
      const bool back = rng() % 2;
      size_t expected = 0;
      if (!back) {
        for (auto it = model.begin(); it != model.end();) {
          if (*it == v && (limit == 0 || expected < limit)) {
            it = model.erase(it);
            ++expected;
          } else {
            ++it;
          }
        }
      } else {
        for (size_t i = model.size(); i-- > 0;) {
          if (model[i] == v && (limit == 0 || expected < limit)) {
            model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
            ++expected;
          }
        }
      }
      ASSERT_EQ(list.remove(v, limit, back), expected);
    }
    ASSERT_EQ(list.size(), model.size());
    if (step % 97 == 0) {
      for (size_t i = 0; i < model.size(); ++i) ASSERT_EQ(list.at(i), model[i]) << step;
    }
  }
}

TEST(HashObject, KeepsInsertionOrderWhileSmallAndMatchesAMap) {
  HashObject h;
  h.set("b", "1");
  h.set("a", "2");
  h.set("c", "3");
  std::string order;
  h.for_each([&](std::string_view f, std::string_view) { order += f; });
  EXPECT_EQ(order, "bac");
  std::mt19937 rng(2);
  std::map<std::string, std::string> model = {{"a", "2"}, {"b", "1"}, {"c", "3"}};
  for (int step = 0; step < 5000; ++step) {
    const std::string f = name("f", rng() % 300);
    if (rng() % 3 == 0) {
      ASSERT_EQ(h.erase(f), model.erase(f) == 1);
    } else {
      const std::string v = value(rng);
      ASSERT_EQ(h.set(f, v), model.count(f) == 0);
      model[f] = v;
    }
    ASSERT_EQ(h.size(), model.size());
  }
  for (const auto& [f, v] : model) {
    ASSERT_NE(h.get(f), nullptr);
    EXPECT_EQ(h.get(f)->view(), v);
  }
  h.set("long", std::string(100, 'x'));  // Past 64 bytes: no longer small.
  EXPECT_EQ(h.get("long")->view(), std::string(100, 'x'));
}

TEST(SetObject, MatchesASet) {
  SetObject s;
  std::set<std::string> model;
  std::mt19937 rng(3);
  for (int step = 0; step < 20000; ++step) {
    const std::string m = name("m", rng() % 2000, rng() % 2 ? 20 : 0);
    if (rng() % 2) {
      ASSERT_EQ(s.add(m), model.insert(m).second);
    } else {
      ASSERT_EQ(s.remove(m), model.erase(m) == 1);
    }
    ASSERT_EQ(s.size(), model.size());
  }
  size_t seen = 0;
  s.for_each([&](std::string_view m) {
    EXPECT_TRUE(model.count(std::string(m)));
    ++seen;
  });
  EXPECT_EQ(seen, model.size());
  for (int i = 0; i < 100 && s.size() != 0; ++i) EXPECT_TRUE(model.count(std::string(s.random_member(rng()))));
}

TEST(ZSetObject, OrderRanksAndRangesMatchASortedModel) {
  ZSetObject z;
  std::map<std::string, double> scores;
  std::mt19937 rng(4);
  for (int step = 0; step < 30000; ++step) {
    const std::string m = name("member", rng() % 3000);
    if (rng() % 4 == 0) {
      ASSERT_EQ(z.remove(m), scores.erase(m) == 1);
    } else {
      const double score = static_cast<double>(rng() % 100);  // Many ties: ordered by member.
      ASSERT_EQ(z.set(m, score), scores.count(m) == 0);
      scores[m] = score;
    }
    ASSERT_EQ(z.size(), scores.size());
  }
  std::set<std::pair<double, std::string>> order;
  for (const auto& [m, s] : scores) order.insert({s, m});
  const ZIndex& index = z.index();
  size_t rank = 0;
  for (ZIndex::Pos p = index.begin(); index.valid(p); index.next(p), ++rank) {
    const auto& [s, m] = *std::next(order.begin(), static_cast<std::ptrdiff_t>(rank));
    ASSERT_EQ(index.at(p).score, s);
    ASSERT_EQ(index.at(p).member.view(), m);
    ASSERT_EQ(index.rank_of(p), rank);
    ASSERT_EQ(*z.rank(m, false), rank);
    ASSERT_EQ(*z.rank(m, true), order.size() - 1 - rank);
  }
  EXPECT_EQ(rank, order.size());
  // Score bounds.
  for (double bound : {-1.0, 0.0, 42.0, 42.5, 99.0, 100.0}) {
    for (bool exclusive : {false, true}) {
      const auto first = std::find_if(order.begin(), order.end(),
                                      [&](const auto& e) { return exclusive ? e.first > bound : e.first >= bound; });
      const ZIndex::Pos p = index.first_from(bound, exclusive);
      if (first == order.end()) {
        EXPECT_FALSE(index.valid(p));
      } else {
        ASSERT_TRUE(index.valid(p));
        EXPECT_EQ(index.at(p).member.view(), first->second);
      }
      const auto last = std::find_if(order.rbegin(), order.rend(),
                                     [&](const auto& e) { return exclusive ? e.first < bound : e.first <= bound; });
      const ZIndex::Pos q = index.last_until(bound, exclusive);
      if (last == order.rend()) {
        EXPECT_FALSE(index.valid(q));
      } else {
        ASSERT_TRUE(index.valid(q));
        EXPECT_EQ(index.at(q).member.view(), last->second);
      }
    }
  }
  // Reverse walk.
  size_t back = 0;
  for (ZIndex::Pos p = index.last(); index.valid(p); index.prev(p)) ++back;
  EXPECT_EQ(back, order.size());
}

}  // namespace
}  // namespace weft::kv
