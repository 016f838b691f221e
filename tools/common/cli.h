#pragma once
// The command line every weft program follows, on CLI11:
//
//   --help      lists every flag with its default on standard output; exit status 0
//   --version   prints "<program> <version>"; exit status 0
//   a bad flag or value: a message naming the flag on standard error; exit status 2
//   --flag value and --flag=value are the same; a repeated flag keeps its last value
//
// Values share one syntax in every program: addresses as weft::Address::parse reads them
// (tcp://host:port, tcp://[v6]:port, unix:///path, unix://@abstract), durations in seconds
// with fractions (0.5), byte sizes with an optional binary unit (64k, 16MiB: k, m and g
// are all powers of 1024, and b, kb, kib are the same unit spelled three ways).
//
// A complete program:
//
//   #include "cli.h"
//   #include "server_flags.h"
//
//   int main(int argc, char** argv) {
//     weft::tools::App app("weft-hello", "Answers every connection with a greeting.");
//     weft::tools::ServerFlags server{.addr = "tcp://127.0.0.1:7000"};
//     weft::tools::add_server_flags(app, server);
//     std::size_t repeat = 1;
//     app.add_number("--repeat", repeat, "greetings per connection", 1, 100);
//     app.parse_or_exit(argc, argv);
//     Greeter greeter(repeat);
//     weft::Server s(greeter, server.options);
//     s.listen(server.addr);
//     s.run();
//   }
//
// Threads: build and parse on the main thread, before the program starts any other.

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/core/time.h"

namespace weft::tools {

class App : public CLI::App {
 public:
  // `name` is the program as typed ("weft-echo"); `description` one or two sentences.
  App(std::string name, std::string description);

  // Parses the command line. --help and --version print to standard output and exit 0; a
  // usage error prints "<program>: <problem>" to standard error and exits 2. Returns only
  // when every flag was accepted.
  void parse_or_exit(int argc, char** argv);
  // For problems seen after parsing (flags that contradict each other): reported like a
  // usage error, exit status 2. `problem` should name the flag.
  [[noreturn]] void fail(const std::string& problem) const;

  // Options with weft's value syntax. Each stores into `target` only when given, and shows
  // the value `target` holds now as its default.
  CLI::Option* add_address(const std::string& flag, std::string& url, const std::string& description);
  CLI::Option* add_duration(const std::string& flag, Duration& target, const std::string& description);
  CLI::Option* add_duration(const std::string& flag, double& seconds, const std::string& description);
  CLI::Option* add_size(const std::string& flag, std::size_t& bytes, const std::string& description);
  // The path of a file that must exist and be readable; shown as "none" while empty.
  CLI::Option* add_file(const std::string& flag, std::string& path, const std::string& description);

  // A decimal number in [min, max]: whole for integer types, with fractions for floating
  // point ones.
  template <class T>
  CLI::Option* add_number(const std::string& flag, T& target, const std::string& description,
                          std::type_identity_t<T> min = std::numeric_limits<T>::lowest(),
                          std::type_identity_t<T> max = std::numeric_limits<T>::max());

  // One of a fixed set of words, each standing for a value.
  template <class T>
  CLI::Option* add_choice(const std::string& flag, T& target, std::vector<std::pair<std::string, T>> choices,
                          const std::string& description);

 private:
  // An option whose text `check` turns into the target's value; `check` returns an error
  // message (naming no flag: CLI11 adds it) or "" once it has stored the value.
  CLI::Option* add_checked(const std::string& flag, std::function<std::string(const std::string&)> check,
                           const std::string& description, const std::string& type, const std::string& shown);
};

// The value parsers behind the options, also for values that come from elsewhere.
std::optional<double> parse_seconds(std::string_view text);
std::optional<std::uint64_t> parse_size(std::string_view text);
std::string format_seconds(double seconds);
std::string format_size(std::uint64_t bytes);

template <class T>
CLI::Option* App::add_number(const std::string& flag, T& target, const std::string& description,
                             std::type_identity_t<T> min, std::type_identity_t<T> max) {
  auto show = [](T value) {
    if constexpr (std::is_floating_point_v<T>)
      return format_seconds(value);
    else
      return std::to_string(value);
  };
  auto check = [&target, min, max, show](const std::string& text) -> std::string {
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !(value >= min && value <= max)) {
      return "expected a number from " + show(min) + " to " + show(max) + ", got '" + text + "'";
    }
    target = value;
    return "";
  };
  return add_checked(flag, check, description, "N", show(target));
}

template <class T>
CLI::Option* App::add_choice(const std::string& flag, T& target, std::vector<std::pair<std::string, T>> choices,
                             const std::string& description) {
  std::string names;
  std::string shown;
  for (const auto& [name, value] : choices) {
    names += (names.empty() ? "" : "|") + name;
    if (value == target) shown = name;
  }
  auto check = [&target, choices, names](const std::string& text) -> std::string {
    for (const auto& [name, value] : choices) {
      if (name == text) {
        target = value;
        return "";
      }
    }
    return "expected one of " + names + ", got '" + text + "'";
  };
  return add_checked(flag, check, description, names, shown);
}

}  // namespace weft::tools
