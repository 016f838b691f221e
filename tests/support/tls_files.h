#pragma once
// TLS test material: a temporary directory with a test CA and certificates made by
// scripts/tls-test-certs.sh (see there for the files), removed at the end, and a runner
// for the real TLS peers (openssl, curl, Python) the tests talk to. Header-only, so that
// only TLS tests need OpenSSL's command line.

#include <stdlib.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace weft::test {

class TlsFiles {
 public:
  TlsFiles() {
    char tmpl[] = "/tmp/weft-tls-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    std::string cmd = std::string(WEFT_SOURCE_DIR) + "/scripts/tls-test-certs.sh " + dir_ + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("tls-test-certs.sh failed");
  }
  ~TlsFiles() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// A test suite whose tests share one TlsFiles, made before its first test.
class TlsSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { files_ = new TlsFiles(); }
  static void TearDownTestSuite() {
    delete files_;
    files_ = nullptr;
  }
  static std::string file(const std::string& name) { return files_->path(name); }

 private:
  static inline TlsFiles* files_ = nullptr;
};

struct CommandResult {
  int status = -1;  // The exit status, or -1 if it did not exit normally.
  std::string output;
};

// Runs one program with its arguments (a shell command line without pipes), bounded by
// `seconds` through coreutils timeout, capturing stdout and stderr together.
inline CommandResult run_command(const std::string& command, int seconds = 20) {
  CommandResult r;
  std::string full = "timeout -k 2 " + std::to_string(seconds) + " " + command + " 2>&1";
  FILE* f = popen(full.c_str(), "r");
  if (f == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) r.output.append(buf, n);
  int status = pclose(f);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace weft::test
