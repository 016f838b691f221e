#include "weft/codec/needle_cursor.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace weft::codec::detail {
namespace {

TEST(NeedleCursor, FindsAndRemembers) {
  NeedleCursor c;
  EXPECT_EQ(c.find(InputView(std::string_view("abc#")), "##"), NeedleCursor::npos);
  EXPECT_EQ(c.find(InputView(std::string_view("abc##x##")), "##"), 3u);
  // Still remembered: the same prefix with more bytes gives the same answer.
  EXPECT_EQ(c.find(InputView(std::string_view("abc##x##y")), "##"), 3u);
  c.consumed(5);
  EXPECT_EQ(c.find(InputView(std::string_view("x##y")), "##"), 1u);
  c.consumed(1);
  EXPECT_EQ(c.find(InputView(std::string_view("##y")), "##"), 0u);
  c.consumed(3);
  EXPECT_EQ(c.find(InputView(std::string_view("")), "##"), NeedleCursor::npos);
}

TEST(NeedleCursor, ResumesWhereTheSearchStopped) {
  NeedleCursor c;
  // A cursor trusts that bytes already searched are unchanged: here it deliberately is lied
  // to, to show that it does not look at them again.
  EXPECT_EQ(c.find(InputView(std::string_view("aaaa")), "\n"), NeedleCursor::npos);
  EXPECT_EQ(c.find(InputView(std::string_view("a\naaa\n")), "\n"), 5u);
  c.reset();
  EXPECT_EQ(c.find(InputView(std::string_view("a\naaa\n")), "\n"), 1u);
}

TEST(NeedleCursor, FindsAcrossSegments) {
  const std::vector<std::string_view> parts = {"ab", "c<", "-", ">d"};
  NeedleCursor c;
  EXPECT_EQ(c.find(InputView(std::span<const std::string_view>(parts)), "<->"), 3u);
  c.consumed(4);
  EXPECT_EQ(c.find(InputView(std::span<const std::string_view>(parts)).subview(4), "<->"), NeedleCursor::npos);
}

TEST(NeedleCursor, KeepsTheTailThatMayStartAMatch) {
  NeedleCursor c;
  EXPECT_EQ(c.find(InputView(std::string_view("xxxx<-")), "<->"), NeedleCursor::npos);
  c.consumed(2);
  EXPECT_EQ(c.find(InputView(std::string_view("xx<->")), "<->"), 2u);
}

}  // namespace
}  // namespace weft::codec::detail
