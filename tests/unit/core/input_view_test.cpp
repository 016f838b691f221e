#include "weft/core/input_view.h"

#include <gtest/gtest.h>
#include <time.h>

#include <random>
#include <string>
#include <vector>

#include "core/needle_search.h"

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

namespace weft {
namespace {

// Near-matches over many small segments: the input that made a multi-byte search
// quadratic (each candidate walked the segments from the start).
TEST(InputView, NeedleSearchStaysLinearOverManySegments) {
  constexpr size_t kSegment = 1024;
  constexpr size_t kSegments = 2048;
  std::string text(kSegment * kSegments, 'a');
  text.back() = 'b';
  std::vector<std::string_view> segs;
  for (size_t i = 0; i < kSegments; ++i) segs.push_back(std::string_view(text).substr(i * kSegment, kSegment));
  InputView v{std::span<const std::string_view>(segs)};

  // The reference: one pass that reads every byte, segment by segment.
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  double t0 = cpu_now();
  size_t count = 0;
  for (std::string_view s : segs) {
    for (char c : s) count += c == 'a' ? 1 : 0;
  }
  double one_pass = cpu_now() - t0;
  ASSERT_EQ(count, text.size() - 1);

  t0 = cpu_now();
  size_t at = v.find("aaaab");
  double search = cpu_now() - t0;
  EXPECT_EQ(at, text.size() - 5);
  // Thread CPU time, with a margin of 100 times a single pass (plus 50 ms for a coarse
  // clock): a linear search costs a few passes, the quadratic one about a thousand.
  EXPECT_LT(search, 100 * one_pass + 0.05) << "one pass " << one_pass << " s, search " << search << " s";
}

}  // namespace
}  // namespace weft

namespace weft {
namespace {

// Texts of near-matches over {a, b}, where a naive search backs up the most.
std::vector<std::string> adversarial_texts() {
  std::vector<std::string> texts;
  texts.push_back(std::string(150, 'a') + "b" + std::string(40, 'a') + "ab");
  std::string runs;
  for (size_t k = 1; k <= 12; ++k) runs += std::string(k, 'a') + "b";
  texts.push_back(runs);
  std::string periodic;
  for (int i = 0; i < 40; ++i) periodic += i % 7 == 6 ? "abb" : "ab";
  texts.push_back(periodic);
  std::mt19937 rng(12345);
  std::string random;
  for (int i = 0; i < 200; ++i) random += (rng() % 5 == 0) ? 'b' : 'a';
  texts.push_back(random);
  texts.push_back(std::string(69, 'a') + "b" + std::string(80, 'a') + "b");
  return texts;
}

std::vector<std::string> adversarial_needles() {
  std::vector<std::string> needles = {"ab",    "ba",     "aab",        "aaaab", "abab",
                                      "ababb", "aabaab", "aaaaaaaaab", "bb",    "abba"};
  needles.push_back(std::string(69, 'a') + "b");  // Longer than the inline failure table.
  needles.push_back(std::string(300, 'a'));       // Longer than every text.
  return needles;
}

// Every cut at once, fixed widths, and random widths with empty segments in between.
std::vector<std::vector<std::string_view>> segmentations(std::string_view text) {
  std::vector<std::vector<std::string_view>> out;
  for (size_t width : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{64}}) {
    std::vector<std::string_view> segs;
    for (size_t at = 0; at < text.size(); at += width) segs.push_back(text.substr(at, width));
    out.push_back(segs);
  }
  std::mt19937 rng(777);
  std::vector<std::string_view> segs;
  for (size_t at = 0; at < text.size();) {
    size_t width = rng() % 9;  // 0 makes an empty segment.
    segs.push_back(text.substr(at, width));
    at += width;
  }
  out.push_back(segs);
  return out;
}

TEST(InputView, NeedleSearchAgreesWithStringFindForEverySplit) {
  for (const std::string& text : adversarial_texts()) {
    for (const auto& segs : segmentations(text)) {
      InputView whole{std::span<const std::string_view>(segs)};
      ASSERT_EQ(whole.size(), text.size());
      for (size_t skip : {size_t{0}, size_t{1}, size_t{7}}) {
        InputView v = whole.subview(skip);
        const std::string rest = text.substr(skip);
        for (const std::string& needle : adversarial_needles()) {
          for (size_t from = 0; from <= rest.size() + 1; ++from) {
            size_t expected = rest.find(needle, from);
            ASSERT_EQ(v.find(needle, from), expected == std::string::npos ? InputView::npos : expected)
                << "text " << text << " needle " << needle << " from " << from << " skip " << skip << " segments "
                << segs.size();
          }
        }
      }
    }
  }
}

TEST(InputView, NeedleSearchInOneSegmentAgreesWithStringFind) {
  for (const std::string& text : adversarial_texts()) {
    InputView v{std::string_view(text)};
    for (const std::string& needle : adversarial_needles()) {
      for (size_t from = 0; from <= text.size() + 1; ++from) {
        size_t expected = text.find(needle, from);
        ASSERT_EQ(v.find(needle, from), expected == std::string::npos ? InputView::npos : expected) << needle;
      }
    }
  }
}

struct CountingProbe {
  size_t compares = 0;
  size_t scanned_bytes = 0;
  void compared() { ++compares; }
  void scanned(size_t n) { scanned_bytes += n; }
};

// The work of one search, counted: every byte is passed to memchr or compared once, plus
// at most one fall-back per byte matched, so never more than twice the bytes searched.
TEST(InputView, NeedleSearchWorkIsAtMostTwiceTheBytesSearched) {
  constexpr size_t kSize = 64 * 1024;
  for (const std::string& needle : {std::string("aaaab"), std::string("aab"), std::string("abaabab"),
                                    std::string(69, 'a') + "b", std::string(9, 'a') + "ba"}) {
    std::string text(kSize, 'a');
    text.replace(kSize - needle.size(), needle.size(), needle);
    for (size_t width : {size_t{1}, size_t{7}, size_t{1000}, kSize}) {
      std::vector<std::string_view> segs;
      for (size_t at = 0; at < text.size(); at += width) segs.push_back(std::string_view(text).substr(at, width));
      CountingProbe probe;
      size_t at = detail::find_in_segments(std::span<const std::string_view>(segs), 0, needle, 0, probe);
      EXPECT_EQ(at, kSize - needle.size()) << needle << " width " << width;
      EXPECT_LE(probe.compares + probe.scanned_bytes, 2 * kSize) << needle << " width " << width;
      EXPECT_GT(probe.compares, 0u);
    }
  }
}

}  // namespace
}  // namespace weft
