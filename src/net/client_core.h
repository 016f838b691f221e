#pragma once
// ClientCore: what Client is made of. One LoopContext (and its Dialer) per loop, on loops
// of its own or on a server's I/O loops. On a server's loops it is one of the server's
// stop participants, so it stops with the server and the server waits for it.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "net/dialer.h"
#include "net/loop_context.h"
#include "net/server_core.h"
#include "weft/core/loop_group.h"
#include "weft/net/client.h"

namespace weft::detail {

class ClientCore final : private StopParticipant {
 public:
  ClientCore(Handler& handler, ClientOptions options);
  ClientCore(Server& server, Handler& handler, ClientOptions options);
  ~ClientCore();

  void start();
  void stop();
  void wait();
  DialHandle dial(std::string_view url, Dialed done, void* context, size_t loop);

  size_t loop_count() const { return contexts_.size(); }
  EventLoop& loop(size_t i) { return contexts_.at(i)->loop; }
  size_t connection_count() const;
  const ConnStats& conn_stats(size_t i) const { return contexts_.at(i)->stats; }
  const ClientOptions& options() const { return options_; }
  // The loop the calling thread runs, if it is one of this client's; else npos.
  size_t calling_loop() const;
  LoopContext& context(size_t i) { return *contexts_.at(i); }

 private:
  void build(std::vector<EventLoop*> loops);
  void begin_stop(std::function<void()> done) override;
  void loop_drained();
  void teardown();

  const ClientOptions options_;
  const ServerOptions conn_options_;  // The connection fields, as the contexts read them.
  Handler& handler_;
  std::unique_ptr<LoopGroup> own_;  // Null on a server's loops.
  ServerCore* server_ = nullptr;
  std::vector<std::unique_ptr<LoopContext>> contexts_;
  std::vector<std::unique_ptr<Dialer>> dialers_;
  std::atomic<size_t> next_loop_{0};
  // Read by the tasks this client posts to its loops, on those loops' threads; cleared
  // when its contexts are destroyed (on the loop, or anywhere if the loops never ran).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  std::mutex mutex_;
  std::condition_variable stopped_cv_;
  bool started_ = false;  // Guarded by mutex_, as are the next.
  bool stopping_ = false;
  bool stopped_ = false;  // Every loop has drained.
  size_t drained_ = 0;
  std::function<void()> server_done_;  // The server's stop waits for this client.
  bool torn_down_ = false;             // Owner thread.
};

}  // namespace weft::detail
