#pragma once
// Pub/sub: each shard knows the subscriptions of its own clients. PUBLISH runs on every
// shard (dispatch.h), and each delivers the message to its subscribers of the channel and
// of the patterns that match it, and counts them. A client's subscriptions are also listed
// in the client, for UNSUBSCRIBE without arguments and for its close.
//
// A subscriber that does not read is bounded by the server's hard output limit
// (--client-output-limit): the write that would pass it closes the connection, as
// Redis's pubsub client-output-buffer-limit does.
//
// Loop thread of the shard only.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace weft::kv {

class Client;

class PubSub {
 public:
  // Each returns false when there was nothing to do (already subscribed, not subscribed).
  bool subscribe(Client& client, std::string_view channel);
  bool unsubscribe(Client& client, std::string_view channel);
  bool psubscribe(Client& client, std::string_view pattern);
  bool punsubscribe(Client& client, std::string_view pattern);
  // Drops every subscription of a client.
  void forget(Client& client);

  // Delivers a message to this shard's subscribers; returns how many got it.
  size_t publish(std::string_view channel, std::string_view message);

  size_t channels() const { return channels_.size(); }
  size_t patterns() const { return patterns_.size(); }

 private:
  using Subscribers = std::unordered_map<std::string, std::vector<Client*>>;
  static bool add(Subscribers& map, std::vector<std::string>& own, Client& client, std::string_view name);
  static bool remove(Subscribers& map, std::vector<std::string>& own, Client& client, std::string_view name);

  Subscribers channels_;
  Subscribers patterns_;
  std::string encoded2_;  // One message in RESP2 and RESP3, made once per publish.
  std::string encoded3_;
};

// Drops every subscription of a client (RESET, and when its connection closes).
void unsubscribe_all(Client& client);

}  // namespace weft::kv
