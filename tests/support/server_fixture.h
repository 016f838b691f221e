#pragma once
// ServerFixture: a weft::Server listening on one address (port 0 by default) and running
// in the background for the length of a test. Its destructor stops it; a server that does
// not finish stopping within the bound fails the test by aborting the process, since a
// hung server cannot be recovered from inside it.

#include <memory>
#include <string>

#include "sync.h"
#include "weft/net/server.h"

namespace weft::test {

class ServerFixture {
 public:
  // Listens on url and starts. Listening errors propagate as exceptions.
  explicit ServerFixture(Handler& handler, ServerOptions options = {}, const std::string& url = "tcp://127.0.0.1:0");
  ~ServerFixture();
  ServerFixture(const ServerFixture&) = delete;
  ServerFixture& operator=(const ServerFixture&) = delete;

  Server& server() { return *server_; }
  const Address& address() const { return server_->address(); }

  // Stops and waits up to timeout for run()/wait() to return. Idempotent.
  void stop(Duration timeout = kWait);
  bool stopped() const { return stopped_; }

 private:
  std::unique_ptr<Server> server_;
  bool stopped_ = false;
};

// Creates a Unix socket path unique to this process and test, in the temp directory.
std::string temp_socket_path(const std::string& tag);

}  // namespace weft::test
