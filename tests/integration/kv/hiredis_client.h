#pragma once
// hiredis for weft-kv's tests: owning handles for a context and a reply, a connection to a
// server's Unix socket with a bounded wait, and a command from a vector of arguments.

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

namespace weft::test {

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// A connection to `socket_path`, every call bounded by 20 s; null when it failed.
inline Context connect_unix(const std::string& socket_path) {
  timeval timeout{20, 0};
  Context c(redisConnectUnixWithTimeout(socket_path.c_str(), timeout));
  if (!c || c->err) return nullptr;
  redisSetTimeout(c.get(), timeout);
  return c;
}

// Sends one command and waits for its reply; null when the connection failed.
inline Reply run(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  return Reply(
      static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lengths.data())));
}

// The next reply of a pipeline; null when the connection failed.
inline Reply next_reply(redisContext* c) {
  void* r = nullptr;
  if (redisGetReply(c, &r) != REDIS_OK) return nullptr;
  return Reply(static_cast<redisReply*>(r));
}

}  // namespace weft::test
