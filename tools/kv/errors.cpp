#include "errors.h"

#include <algorithm>
#include <cctype>

namespace weft::kv::err {

std::string arity(std::string_view command) {
  std::string s = "ERR wrong number of arguments for '";
  s += command;
  s += "' command";
  return s;
}

std::string expire_time(std::string_view command) {
  std::string s = "ERR invalid expire time in '";
  s += command;
  s += "' command";
  return s;
}

std::string unknown_command(std::string_view name, const std::string_view* args, size_t count) {
  // As Redis: the name cut at 128 bytes, then quoted arguments until 128 bytes are shown.
  std::string shown;
  for (size_t i = 0; i < count && shown.size() < 128; ++i) {
    const size_t room = 128 - shown.size();
    shown += '\'';
    shown += args[i].substr(0, room);
    shown += "' ";
  }
  std::string s = "ERR unknown command '";
  s += name.substr(0, 128);
  s += "', with args beginning with: ";
  s += shown;
  return s;
}

std::string unknown_subcommand(std::string_view container, std::string_view sub) {
  std::string upper(container);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  std::string s = "ERR unknown subcommand '";
  s += sub.substr(0, 128);
  s += "'. Try ";
  s += upper;
  s += " HELP.";
  return s;
}

}  // namespace weft::kv::err
