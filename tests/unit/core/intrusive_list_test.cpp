// IntrusiveList: order, O(1) removal anywhere, move to the tail, and membership, checked
// against the expected sequence after every step.

#include "core/intrusive_list.h"

#include <gtest/gtest.h>

#include <vector>

namespace weft::detail {
namespace {

struct Item {
  int id = 0;
  ListHook<Item> hook;
};

using List = IntrusiveList<Item, &Item::hook>;

std::vector<int> ids(const List& list) {
  std::vector<int> out;
  for (Item* i = list.front(); i != nullptr; i = List::next(*i)) out.push_back(i->id);
  // Walk back from the tail too: both directions must agree.
  std::vector<int> back;
  for (Item* i = list.back(); i != nullptr; i = i->hook.prev) back.insert(back.begin(), i->id);
  EXPECT_EQ(out, back);
  EXPECT_EQ(out.size(), list.size());
  return out;
}

TEST(IntrusiveList, PushBackKeepsOrder) {
  Item items[3] = {{1, {}}, {2, {}}, {3, {}}};
  List list;
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.front(), nullptr);
  for (Item& i : items) list.push_back(i);
  EXPECT_FALSE(list.empty());
  EXPECT_EQ(list.front(), &items[0]);
  EXPECT_EQ(ids(list), (std::vector<int>{1, 2, 3}));
  for (Item& i : items) list.remove(i);
}

TEST(IntrusiveList, RemoveFromHeadMiddleAndTail) {
  Item items[5] = {{1, {}}, {2, {}}, {3, {}}, {4, {}}, {5, {}}};
  List list;
  for (Item& i : items) list.push_back(i);
  EXPECT_TRUE(list.remove(items[2]));
  EXPECT_EQ(ids(list), (std::vector<int>{1, 2, 4, 5}));
  EXPECT_TRUE(list.remove(items[0]));
  EXPECT_EQ(ids(list), (std::vector<int>{2, 4, 5}));
  EXPECT_TRUE(list.remove(items[4]));
  EXPECT_EQ(ids(list), (std::vector<int>{2, 4}));
  EXPECT_FALSE(list.remove(items[2]));  // Not in the list: nothing happens.
  EXPECT_FALSE(list.contains(items[2]));
  EXPECT_EQ(items[2].hook.prev, nullptr);
  EXPECT_EQ(items[2].hook.next, nullptr);
  EXPECT_EQ(list.pop_front(), &items[1]);
  EXPECT_EQ(list.pop_front(), &items[3]);
  EXPECT_EQ(list.pop_front(), nullptr);
  EXPECT_TRUE(list.empty());
}

TEST(IntrusiveList, MoveToBackReordersAndLinksNewcomers) {
  Item items[4] = {{1, {}}, {2, {}}, {3, {}}, {4, {}}};
  List list;
  for (int i = 0; i < 3; ++i) list.push_back(items[i]);
  list.move_to_back(items[0]);
  EXPECT_EQ(ids(list), (std::vector<int>{2, 3, 1}));
  list.move_to_back(items[0]);  // Already last.
  EXPECT_EQ(ids(list), (std::vector<int>{2, 3, 1}));
  list.move_to_back(items[2]);
  EXPECT_EQ(ids(list), (std::vector<int>{2, 1, 3}));
  list.move_to_back(items[3]);  // Not linked yet: appended.
  EXPECT_EQ(ids(list), (std::vector<int>{2, 1, 3, 4}));
  EXPECT_TRUE(list.contains(items[3]));
  while (list.pop_front() != nullptr) {
  }
}

TEST(IntrusiveList, ASingleElementIsContainedAndRemovable) {
  Item only{9, {}};
  List list;
  EXPECT_FALSE(list.contains(only));
  list.push_back(only);
  EXPECT_TRUE(list.contains(only));
  EXPECT_EQ(list.front(), list.back());
  list.move_to_back(only);
  EXPECT_EQ(ids(list), std::vector<int>{9});
  EXPECT_TRUE(list.remove(only));
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.back(), nullptr);
}

TEST(IntrusiveList, MovingTheListTakesTheElements) {
  Item items[2] = {{1, {}}, {2, {}}};
  List a;
  for (Item& i : items) a.push_back(i);
  List b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from lists are empty.
  EXPECT_EQ(ids(b), (std::vector<int>{1, 2}));
  b.remove(items[0]);
  b.remove(items[1]);
}

}  // namespace
}  // namespace weft::detail
