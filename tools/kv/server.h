#pragma once
// KvServer: weft-kv's Handler. It gives each loop a Shard, each connection a Client, reads
// requests with the RESP parser and runs them: on this loop when it owns their keys (and
// always with one loop), on the owners otherwise (dispatch.h).
//
// Threads: on_boot on the starting thread (shards are made there, before any loop runs);
// everything per connection on its loop. The settings changeable at run time (CONFIG SET)
// are atomics.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "options.h"
#include "weft/net/handler.h"
#include "weft/net/server.h"
#include "weft/resp/limits.h"

namespace weft::kv {

class Client;
class Shard;

// The Redis version whose commands and replies weft-kv follows (INFO, HELLO).
inline constexpr std::string_view kRedisVersion = "7.0.0";

class KvServer final : public Handler {
 public:
  explicit KvServer(const Options& options);
  ~KvServer() override;

  void on_boot(Server& server) override;
  void on_open(Conn& conn) override;
  void on_traffic(Conn& conn) override;
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override;
  // A graceful stop: a client waiting for replies from other loops closes once they are
  // written; the others close once their output is flushed. With
  // Options::serve_until_clients_close every client is served until it closes.
  bool on_stopping(Conn& conn) override;
  void on_shutdown(Server& server) override;

  // Runs the requests waiting in a client's input, in order, until they run out, the
  // client must wait (a command spanning loops), or it is closing. Loop thread.
  void process(Client& client);
  // Runs one request on the client's loop. Loop thread.
  void execute(Client& client, Args args, resp::ReplyWriter& out);

  const CommandTable& commands() const { return commands_; }
  Shard& shard(size_t i) { return *shards_[i]; }
  size_t shard_count() const { return shards_.size(); }
  const Options& options() const { return options_; }
  const resp::RequestLimits& limits() const { return limits_; }
  bool auth_required() const { return !options_.requirepass.empty(); }
  uint64_t next_client_id() { return next_client_id_.fetch_add(1, std::memory_order_relaxed); }
  int64_t start_time_ms() const { return start_ms_; }
  const std::string& address() const { return bound_address_; }

  std::atomic<uint64_t> maxmemory{0};
  std::atomic<EvictionPolicy> policy{EvictionPolicy::noeviction};

 private:
  Client& client_of(Conn& conn);

  Options options_;
  resp::RequestLimits limits_;
  CommandTable commands_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> next_client_id_{1};
  int64_t start_ms_ = 0;
  std::string bound_address_;
};

}  // namespace weft::kv
