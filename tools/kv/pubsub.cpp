// Pub/sub: the per-shard registry and SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
// PUBLISH. Replies follow Redis 7.0 (pubsub.c): arrays in RESP2, pushes in RESP3.

#include "pubsub.h"

#include <algorithm>

#include "client.h"
#include "cmd_util.h"
#include "families.h"
#include "glob.h"
#include "shard.h"

namespace weft::kv {

bool PubSub::add(Subscribers& map, std::vector<std::string>& own, Client& client, std::string_view name) {
  if (std::find(own.begin(), own.end(), name) != own.end()) return false;
  own.emplace_back(name);
  map[std::string(name)].push_back(&client);
  return true;
}

bool PubSub::remove(Subscribers& map, std::vector<std::string>& own, Client& client, std::string_view name) {
  auto mine = std::find(own.begin(), own.end(), name);
  if (mine == own.end()) return false;
  own.erase(mine);
  auto it = map.find(std::string(name));
  if (it != map.end()) {
    auto& list = it->second;
    list.erase(std::remove(list.begin(), list.end(), &client), list.end());
    if (list.empty()) map.erase(it);
  }
  return true;
}

bool PubSub::subscribe(Client& c, std::string_view channel) {
  return add(channels_, c.channels, c, channel);
}
bool PubSub::unsubscribe(Client& c, std::string_view channel) {
  return remove(channels_, c.channels, c, channel);
}
bool PubSub::psubscribe(Client& c, std::string_view pattern) {
  return add(patterns_, c.patterns, c, pattern);
}
bool PubSub::punsubscribe(Client& c, std::string_view pattern) {
  return remove(patterns_, c.patterns, c, pattern);
}

void PubSub::forget(Client& c) {
  while (!c.channels.empty()) unsubscribe(c, std::string(c.channels.back()));
  while (!c.patterns.empty()) punsubscribe(c, std::string(c.patterns.back()));
}

size_t PubSub::publish(std::string_view channel, std::string_view message) {
  size_t receivers = 0;
  // The message is encoded at most once per protocol for each list of subscribers.
  auto deliver = [&](const std::vector<Client*>& subscribers, std::string_view pattern) {
    bool made[2] = {false, false};
    for (Client* to : subscribers) {
      const bool resp3 = to->protocol == resp::Protocol::resp3;
      std::string& bytes = resp3 ? encoded3_ : encoded2_;
      if (!made[resp3]) {
        bytes.clear();
        resp::ReplyWriter w(bytes, to->protocol);
        w.push(pattern.empty() ? 3 : 4);
        w.bulk(pattern.empty() ? "message" : "pmessage");
        if (!pattern.empty()) w.bulk(pattern);
        w.bulk(channel);
        w.bulk(message);
        made[resp3] = true;
      }
      // A subscriber past the output limit is closed by this write; it stays listed (and
      // harmless) until its connection is finalized at the end of the loop iteration.
      to->emit(bytes);
      ++receivers;
    }
  };
  if (auto it = channels_.find(std::string(channel)); it != channels_.end()) deliver(it->second, {});
  for (const auto& [pattern, subscribers] : patterns_) {
    if (glob_match(pattern, channel)) deliver(subscribers, pattern);
  }
  return receivers;
}

void unsubscribe_all(Client& client) {
  client.shard().pubsub().forget(client);
}

namespace {

void reply_count(Ctx& c, std::string_view kind, std::string_view name, bool null_name) {
  c.out.push(3);
  c.out.bulk(kind);
  if (null_name) {
    c.out.null();
  } else {
    c.out.bulk(name);
  }
  c.out.integer(static_cast<int64_t>(c.client->subscriptions()));
}

void publish_counts(Shard& shard) {
  shard.published_channels.store(shard.pubsub().channels(), std::memory_order_relaxed);
  shard.published_patterns.store(shard.pubsub().patterns(), std::memory_order_relaxed);
}

}  // namespace

void cmd_subscribe(Ctx& c) {
  for (size_t i = 1; i < c.args.size(); ++i) {
    c.shard.pubsub().subscribe(*c.client, c.args[i]);
    reply_count(c, "subscribe", c.args[i], false);
  }
  publish_counts(c.shard);
}

void cmd_psubscribe(Ctx& c) {
  for (size_t i = 1; i < c.args.size(); ++i) {
    c.shard.pubsub().psubscribe(*c.client, c.args[i]);
    reply_count(c, "psubscribe", c.args[i], false);
  }
  publish_counts(c.shard);
}

void cmd_unsubscribe(Ctx& c) {
  Client& client = *c.client;
  if (c.args.size() == 1) {
    if (client.channels.empty()) reply_count(c, "unsubscribe", {}, true);
    while (!client.channels.empty()) {
      const std::string name = client.channels.front();
      c.shard.pubsub().unsubscribe(client, name);
      reply_count(c, "unsubscribe", name, false);
    }
  } else {
    for (size_t i = 1; i < c.args.size(); ++i) {
      c.shard.pubsub().unsubscribe(client, c.args[i]);
      reply_count(c, "unsubscribe", c.args[i], false);
    }
  }
  publish_counts(c.shard);
}

void cmd_punsubscribe(Ctx& c) {
  Client& client = *c.client;
  if (c.args.size() == 1) {
    if (client.patterns.empty()) reply_count(c, "punsubscribe", {}, true);
    while (!client.patterns.empty()) {
      const std::string name = client.patterns.front();
      c.shard.pubsub().punsubscribe(client, name);
      reply_count(c, "punsubscribe", name, false);
    }
  } else {
    for (size_t i = 1; i < c.args.size(); ++i) {
      c.shard.pubsub().punsubscribe(client, c.args[i]);
      reply_count(c, "punsubscribe", c.args[i], false);
    }
  }
  publish_counts(c.shard);
}

// Runs on every shard (dispatch.cpp adds the counts up).
void cmd_publish(Ctx& c) {
  c.out.integer(static_cast<int64_t>(c.shard.pubsub().publish(c.args[1], c.args[2])));
}

}  // namespace weft::kv
