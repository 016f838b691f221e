#include "reply_reader.h"

#include "numbers.h"

namespace weft::kv {

std::string_view ReplyReader::line() {
  const size_t end = rest_.find("\r\n");
  if (end == std::string_view::npos) {
    std::string_view all = rest_;
    rest_ = {};
    return all;
  }
  const std::string_view l = rest_.substr(0, end);
  rest_.remove_prefix(end + 2);
  return l;
}

ReplyReader::Item ReplyReader::next() {
  Item item;
  if (rest_.empty()) return item;
  const char type = rest_[0];
  const std::string_view l = line().substr(1);
  switch (type) {
    case '+':
      item.type = Type::status;
      item.text = l;
      return item;
    case '-':
      item.type = Type::error;
      item.text = l;
      return item;
    case ':':
      item.type = Type::integer;
      item.number = parse_int(l).value_or(0);
      return item;
    case '*':
      item.number = parse_int(l).value_or(-1);
      item.type = item.number < 0 ? Type::null : Type::array;
      return item;
    case '$': {
      const int64_t n = parse_int(l).value_or(-1);
      if (n < 0 || static_cast<uint64_t>(n) + 2 > rest_.size()) {
        item.type = Type::null;
        return item;
      }
      item.type = Type::bulk;
      item.text = rest_.substr(0, static_cast<size_t>(n));
      rest_.remove_prefix(static_cast<size_t>(n) + 2);
      return item;
    }
    default:
      item.type = Type::error;
      item.text = "ERR unexpected reply";
      return item;
  }
}

}  // namespace weft::kv
