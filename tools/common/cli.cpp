#include "cli.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "weft/core/address.h"
#include "weft/version.h"

namespace weft::tools {
namespace {

// CLI11's layout, with the value's kind on the left ("--loops N") and the default at the
// end of the description ("[default: 0]"), wrapped to 100 columns. A flag that takes no
// value is off unless given.
class HelpFormatter final : public CLI::Formatter {
 public:
  static constexpr size_t kNameWidth = 30;
  static constexpr size_t kLineWidth = 100;

  std::string make_option(const CLI::Option* opt, bool is_positional) const override {
    std::string left = "  " + make_option_name(opt, is_positional) + make_option_opts(opt);
    std::string out = left.size() < kNameWidth ? left + std::string(kNameWidth - left.size(), ' ')
                                               : left + "\n" + std::string(kNameWidth, ' ');
    // Greedy wrapping of the description's words; the default note is never split.
    std::vector<std::string> words;
    std::istringstream text(opt->get_description());
    for (std::string word; text >> word;) words.push_back(word);
    if (std::string note = default_note(opt); !note.empty()) words.push_back(note);
    size_t column = kNameWidth;
    for (size_t i = 0; i < words.size(); ++i) {
      if (i > 0 && column + 1 + words[i].size() > kLineWidth) {
        out += "\n" + std::string(kNameWidth, ' ');
        column = kNameWidth;
      } else if (i > 0) {
        out += ' ';
        ++column;
      }
      out += words[i];
      column += words[i].size();
    }
    return out + "\n";
  }

  std::string make_option_opts(const CLI::Option* opt) const override {
    if (is_switch(opt)) return "";
    // CLI11 appends validator descriptions after a ':'; the kind is what comes before.
    std::string type = opt->get_type_name();
    return " " + type.substr(0, type.find(':'));
  }

  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string note = default_note(opt);
    return note.empty() ? opt->get_description() : opt->get_description() + " " + note;
  }

 private:
  static std::string default_note(const CLI::Option* opt) {
    if (opt->check_lname("help") || opt->check_lname("version")) return "";
    if (opt->get_required()) return "(required)";
    std::string shown = opt->get_default_str();
    if (shown.empty() && is_switch(opt)) shown = "off";
    return "[default: " + shown + "]";
  }

  static bool is_switch(const CLI::Option* opt) { return opt->get_expected_max() == 0; }
};

std::string trim_zeros(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

App::App(std::string name, std::string description) : CLI::App(std::move(description), std::move(name)) {
  set_help_flag("-h,--help", "Print this help and exit");
  set_version_flag("--version", get_name() + " " + WEFT_VERSION_STRING, "Print the program's name and version");
  formatter(std::make_shared<HelpFormatter>());
  option_defaults()->always_capture_default()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  failure_message([](const CLI::App* app, const CLI::Error& e) {
    return app->get_name() + ": " + e.what() + "\n" + "Run with --help for more information.\n";
  });
}

void App::parse_or_exit(int argc, char** argv) {
  try {
    parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help and the version on stdout with status 0, errors on stderr with a
    // status of its own (100 and up); every usage error is 2 here, as for other programs.
    int status = exit(e);
    std::cout.flush();
    std::exit(status == 0 ? 0 : 2);
  }
}

void App::fail(const std::string& problem) const {
  std::fprintf(stderr, "%s: %s\nRun with --help for more information.\n", get_name().c_str(), problem.c_str());
  std::exit(2);
}

CLI::Option* App::add_checked(const std::string& flag, std::function<std::string(const std::string&)> check,
                              const std::string& description, const std::string& type, const std::string& shown) {
  CLI::Option* option = add_option_function<std::string>(
      flag, [](const std::string&) {}, description);
  option->check(CLI::Validator([check](std::string& text) { return check(text); }, ""));
  option->type_name(type);
  option->default_str(shown);
  return option;
}

CLI::Option* App::add_address(const std::string& flag, std::string& url, const std::string& description) {
  auto check = [&url](const std::string& text) -> std::string {
    try {
      (void)Address::parse(text);
    } catch (const std::exception& e) {
      return e.what();
    }
    url = text;
    return "";
  };
  return add_checked(flag, check, description, "URL", url);
}

CLI::Option* App::add_file(const std::string& flag, std::string& path, const std::string& description) {
  auto check = [&path](const std::string& text) -> std::string {
    if (::access(text.c_str(), R_OK) != 0) return "cannot read '" + text + "': " + std::strerror(errno);
    path = text;
    return "";
  };
  return add_checked(flag, check, description, "FILE", path.empty() ? "none" : path);
}

CLI::Option* App::add_duration(const std::string& flag, Duration& target, const std::string& description) {
  auto check = [&target](const std::string& text) -> std::string {
    std::optional<double> seconds = parse_seconds(text);
    if (!seconds) return "expected seconds (such as 2 or 0.5), got '" + text + "'";
    target = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*seconds));
    return "";
  };
  return add_checked(flag, check, description, "SECONDS",
                     format_seconds(std::chrono::duration<double>(target).count()));
}

CLI::Option* App::add_duration(const std::string& flag, double& seconds, const std::string& description) {
  auto check = [&seconds](const std::string& text) -> std::string {
    std::optional<double> value = parse_seconds(text);
    if (!value) return "expected seconds (such as 2 or 0.5), got '" + text + "'";
    seconds = *value;
    return "";
  };
  return add_checked(flag, check, description, "SECONDS", format_seconds(seconds));
}

CLI::Option* App::add_size(const std::string& flag, std::size_t& bytes, const std::string& description) {
  auto check = [&bytes](const std::string& text) -> std::string {
    std::optional<std::uint64_t> value = parse_size(text);
    if (!value) return "expected a size in bytes (such as 512, 64k or 16MiB), got '" + text + "'";
    bytes = *value;
    return "";
  };
  return add_checked(flag, check, description, "SIZE", format_size(bytes));
}

std::optional<double> parse_seconds(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  // Seconds as a plain decimal; from_chars already refuses "inf", "nan" and exponents here.
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  // Far beyond any timeout, and still inside Duration's range (about 292 years).
  if (value > 1e9) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end == text.data() || ec != std::errc()) return std::nullopt;
  std::string unit(end, text.data() + text.size());
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int shift = -1;
  if (unit.empty() || unit == "b") shift = 0;
  if (unit == "k" || unit == "kb" || unit == "kib") shift = 10;
  if (unit == "m" || unit == "mb" || unit == "mib") shift = 20;
  if (unit == "g" || unit == "gb" || unit == "gib") shift = 30;
  if (shift < 0 || value > (std::numeric_limits<std::uint64_t>::max() >> shift)) return std::nullopt;
  return value << shift;
}

std::string format_seconds(double seconds) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9f", seconds);
  return trim_zeros(text);
}

std::string format_size(std::uint64_t bytes) {
  constexpr std::pair<int, const char*> kUnits[] = {{30, "GiB"}, {20, "MiB"}, {10, "KiB"}};
  for (auto [shift, unit] : kUnits) {
    std::uint64_t one = std::uint64_t{1} << shift;
    if (bytes != 0 && bytes % one == 0) return std::to_string(bytes / one) + unit;
  }
  return std::to_string(bytes);
}

}  // namespace weft::tools
