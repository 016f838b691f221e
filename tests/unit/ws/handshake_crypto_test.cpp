// SHA-1, base64 and UTF-8 validation against published vectors.
#include <gtest/gtest.h>

#include <string>

#include "ws/sha1.h"
#include "ws/utf8.h"

namespace weft::ws::detail {
namespace {

std::string hex(const std::array<uint8_t, 20>& d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

TEST(Sha1, MatchesFips180Vectors) {
  EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(hex(sha1(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Base64, EncodesAndDecodes) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string out;
  EXPECT_TRUE(base64_decode("Zm9vYg==", out));
  EXPECT_EQ(out, "foob");
  EXPECT_FALSE(base64_decode("Zm9", out));
  EXPECT_FALSE(base64_decode("Zm=v", out));
  EXPECT_FALSE(base64_decode("Z!==", out));
}

TEST(Sha1, GivesTheHandshakeAcceptOfRfc6455) {
  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  const auto digest = sha1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  EXPECT_EQ(base64_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size())),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Utf8, AcceptsUtf8AndRejectsTheRest) {
  EXPECT_TRUE(valid_utf8("plain ascii, long enough to take the eight-byte path"));
  EXPECT_TRUE(valid_utf8("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"));
  EXPECT_TRUE(valid_utf8("\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
  EXPECT_FALSE(valid_utf8("\x80"));
  EXPECT_FALSE(valid_utf8("\xc1\xbf"));
  EXPECT_FALSE(valid_utf8("\xe0\x9f\xbf"));
  EXPECT_FALSE(valid_utf8("\xed\xbf\xbf"));
  EXPECT_FALSE(valid_utf8("\xf5\x80\x80\x80"));
  Utf8Validator v;
  EXPECT_TRUE(v.feed("\xf0\x9f"));
  EXPECT_FALSE(v.complete());
  EXPECT_TRUE(v.feed("\x98\x80"));
  EXPECT_TRUE(v.complete());
}

}  // namespace
}  // namespace weft::ws::detail
