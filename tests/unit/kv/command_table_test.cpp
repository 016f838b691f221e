#include <gtest/gtest.h>

#include <string>

// tools/kv/command.h, reached through server.h (tests/support has a command.h of its own).
#include "server.h"

namespace weft::kv {
namespace {

using namespace std::string_literals;

TEST(CommandTable, EveryCommandIsFoundByItsNameInAnyCase) {
  const CommandTable table;
  ASSERT_FALSE(table.all().empty());
  for (const Command& c : table.all()) {
    EXPECT_EQ(table.find(c.name), &c) << c.name;
    std::string upper(c.name);
    for (char& ch : upper) ch = static_cast<char>(ch - 32);
    EXPECT_EQ(table.find(upper), &c) << upper;
    std::string mixed(c.name);
    mixed[0] = upper[0];
    EXPECT_EQ(table.find(mixed), &c) << mixed;
  }
}

TEST(CommandTable, NearMissesAreUnknown) {
  const CommandTable table;
  ASSERT_NE(table.find("get"), nullptr);
  EXPECT_EQ(table.find("ge\x54"s), table.find("get"));  // 0x54 is 'T'.
  // Bytes that would fold onto "get" if letters were not told from other bytes, other
  // lengths, and names longer than any command.
  for (const std::string& name : {""s, "ge"s, "gett"s, "get "s, " get"s, "get\0"s, "GE\x14"s, "g\x05t"s, "get\r\n"s,
                                  "\xc7\xc5\xd4"s, "incrbyfloatxxxxxx"s, std::string(100, 'a')}) {
    EXPECT_EQ(table.find(name), nullptr) << name;
  }
}

}  // namespace
}  // namespace weft::kv
