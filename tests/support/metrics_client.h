#pragma once
// Helpers for the metrics tests: /metrics read through prometheus_client's parser
// (tests/clients/metrics_scrape.py) and /stats through Python's json
// (tests/clients/metrics_stats.py), as a monitoring system would read them. For test
// targets that define WEFT_TEST_CLIENTS (the metrics tests do).

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "command.h"
#include "weft/core/address.h"

namespace weft::test {

// "host:port" of a TCP address, as the scripts take it.
inline std::string host_port(const Address& a) {
  return a.host() + ":" + std::to_string(a.port());
}

// Samples as "name{labels, sorted} value" -> value; raw gets the script's whole output
// ("family NAME TYPE" lines and the content type included).
inline std::map<std::string, double> scrape(const std::string& host_port, std::string* raw = nullptr) {
  CommandResult r = run_command(
      {"/usr/bin/python3", std::string(WEFT_TEST_CLIENTS) + "/metrics_scrape.py", "http://" + host_port + "/metrics"});
  EXPECT_EQ(r.exit_code, 0) << r.describe() << r.out;
  if (raw != nullptr) *raw = r.out;
  std::map<std::string, double> values;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("family ") || line.starts_with("content-type")) continue;
    size_t space = line.rfind(' ');
    if (space != std::string::npos) values[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return values;
}

// The sum of every sample named `name` whose labels contain `with`.
inline double total(const std::map<std::string, double>& values, const std::string& name,
                    const std::string& with = "") {
  double sum = 0;
  for (auto& [k, v] : values) {
    if (k.starts_with(name + "{") && k.find(with) != std::string::npos) sum += v;
  }
  return sum;
}

// /stats as metrics_stats.py prints it; empty (and a test failure) if it is not JSON.
inline std::string read_stats(const std::string& host_port) {
  CommandResult r = run_command(
      {"/usr/bin/python3", std::string(WEFT_TEST_CLIENTS) + "/metrics_stats.py", "http://" + host_port + "/stats"});
  EXPECT_EQ(r.exit_code, 0) << r.describe() << r.out;
  return r.exit_code == 0 ? r.out : std::string();
}

}  // namespace weft::test
