#pragma once
// ReplyReader: reads back the RESP2 replies weft-kv's own commands wrote, to merge the
// parts of a command that ran on several loops (MGET's values, DEL's counts, KEYS' keys).
// The input is complete and trusted (made by ReplyWriter in this process), so it is not a
// general reply parser: anything unexpected reads as an error.

#include <cstdint>
#include <string_view>

namespace weft::kv {

class ReplyReader {
 public:
  enum class Type : uint8_t { status, error, integer, bulk, null, array, end };
  struct Item {
    Type type = Type::end;
    std::string_view text;  // status, error (without '-'), bulk
    int64_t number = 0;     // integer, array length (-1: null array)
  };

  explicit ReplyReader(std::string_view bytes) : rest_(bytes) {}
  Item next();
  bool done() const { return rest_.empty(); }

 private:
  std::string_view line();
  std::string_view rest_;
};

}  // namespace weft::kv
