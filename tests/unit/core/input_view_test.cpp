#include "weft/core/input_view.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace weft {
namespace {

// Splits text into segments at the given cut points.
std::vector<std::string_view> split(std::string_view text, std::vector<size_t> cuts) {
  std::vector<std::string_view> out;
  size_t prev = 0;
  for (size_t c : cuts) {
    out.push_back(text.substr(prev, c - prev));
    prev = c;
  }
  out.push_back(text.substr(prev));
  return out;
}

TEST(InputView, SingleSegmentBasics) {
  InputView v(std::string_view("hello\r\nworld"));
  EXPECT_EQ(v.size(), 12u);
  EXPECT_EQ(v.at(4), 'o');
  EXPECT_EQ(v.find('\n'), 6u);
  EXPECT_EQ(v.find("\r\n"), 5u);
  EXPECT_EQ(v.find("zz"), InputView::npos);
  EXPECT_EQ(v.contiguous(7, 5), "world");
  EXPECT_EQ(v.subview(7).find('d'), 4u);
}

TEST(InputView, FindAcrossEverySplit) {
  const std::string text = "abc\r\ndef--END--ghi";
  for (size_t a = 0; a <= text.size(); ++a) {
    for (size_t b = a; b <= text.size(); ++b) {
      auto segs = split(text, {a, b});
      InputView v{std::span<const std::string_view>(segs)};
      ASSERT_EQ(v.size(), text.size());
      EXPECT_EQ(v.find("\r\n"), 3u) << a << "," << b;
      EXPECT_EQ(v.find("--END--"), 8u) << a << "," << b;
      EXPECT_EQ(v.find('g'), 15u);
      EXPECT_EQ(v.find("--END--", 9), InputView::npos);
      std::string copy(text.size(), '\0');
      EXPECT_EQ(v.copy_to(0, text.size(), copy.data()), text.size());
      EXPECT_EQ(copy, text);
      InputView sub = v.subview(5);
      EXPECT_EQ(sub.size(), text.size() - 5);
      EXPECT_EQ(sub.find("--END--"), 3u);
      EXPECT_EQ(sub.at(0), 'd');
    }
  }
}

TEST(InputView, ContiguousOnlyWithinOneSegment) {
  const std::string text = "0123456789";
  auto segs = split(text, {4});
  InputView v{std::span<const std::string_view>(segs)};
  EXPECT_EQ(v.contiguous(0, 4), "0123");
  EXPECT_EQ(v.contiguous(5, 3), "567");
  EXPECT_EQ(v.contiguous(2, 4).data(), nullptr);
  std::string storage;
  EXPECT_EQ(v.slice(2, 4, storage), "2345");
  EXPECT_EQ(v.contiguous(8, 5).data(), nullptr);  // Past the end.
}

TEST(InputView, EmptySegmentsAreSkipped) {
  std::vector<std::string_view> segs = {"", "ab", "", "c", ""};
  InputView v{std::span<const std::string_view>(segs)};
  EXPECT_EQ(v.size(), 3u);
  EXPECT_EQ(v.find("bc"), 1u);
  EXPECT_EQ(v.at(2), 'c');
}

}  // namespace
}  // namespace weft

namespace weft {
namespace {

TEST(InputView, SubviewSegmentsStartAtTheOffset) {
  const std::string text = "0123456789";
  std::vector<std::string_view> segs = {std::string_view(text).substr(0, 3), std::string_view(text).substr(3, 3),
                                        std::string_view(text).substr(6)};
  InputView v{std::span<const std::string_view>(segs)};
  for (size_t off = 0; off <= text.size(); ++off) {
    InputView sub = v.subview(off);
    std::string joined;
    for (size_t i = 0; i < sub.segment_count(); ++i) joined += sub.segment(i);
    EXPECT_EQ(joined, text.substr(off)) << off;
    EXPECT_EQ(sub.find('9'), off <= 9 ? 9 - off : InputView::npos);
    EXPECT_EQ(sub.subview(1).size(), off < 10 ? 9 - off : 0u);
  }
}

}  // namespace
}  // namespace weft
