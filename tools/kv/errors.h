#pragma once
// Error replies in Redis's words (without the leading '-' and the line end).

#include <string>
#include <string_view>

namespace weft::kv::err {

inline constexpr std::string_view kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kWrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kNotPositive = "ERR value is out of range, must be positive";

// "ERR wrong number of arguments for 'get' command".
std::string arity(std::string_view command);
// "ERR invalid expire time in 'set' command".
std::string expire_time(std::string_view command);
// "ERR unknown command 'FOO', with args beginning with: 'a' 'b' ".
std::string unknown_command(std::string_view name, const std::string_view* args, size_t count);
// "ERR unknown subcommand 'foo'. Try CLIENT HELP."
std::string unknown_subcommand(std::string_view container, std::string_view sub);

}  // namespace weft::kv::err
