#include "shard.h"

#include <chrono>

#include "client.h"
#include "server.h"

namespace weft::kv {

Shard::Shard(KvServer& server, uint32_t index, EventLoop& loop, uint64_t seed)
    : server_(server),
      index_(index),
      loop_(loop),
      store_(seed),
      router_(*this),
      random_state_((seed ^ (index + 1) * 0x9e3779b97f4a7c15ull) | 1) {
  refresh_clock();
}

Shard::~Shard() {
  while (clients_ != nullptr) {
    Client* c = clients_;
    clients_ = c->next;
    delete c;
  }
}

void Shard::refresh_clock() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  store_.set_now(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

Client* Shard::next_of(const Client* c) {
  return c->next;
}

Client* Shard::add_client(Conn& conn) {
  auto* c = new Client(*this, conn, server_.next_client_id(), server_.limits(), !server_.auth_required());
  c->created_ms = c->last_active_ms = store_.now();
  c->next = clients_;
  if (clients_ != nullptr) clients_->prev = c;
  clients_ = c;
  ++client_count_;
  connections.fetch_add(1, std::memory_order_relaxed);
  published_clients.store(client_count_, std::memory_order_relaxed);
  return c;
}

void Shard::release(Client* c) {
  pubsub_.forget(*c);
  published_channels.store(pubsub_.channels(), std::memory_order_relaxed);
  published_patterns.store(pubsub_.patterns(), std::memory_order_relaxed);
  c->detach();
  if (c->prev == nullptr && clients_ != c) return;  // Already unlinked, waiting for replies.
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (clients_ == c) clients_ = c->next;
  c->prev = c->next = nullptr;
  --client_count_;
  published_clients.store(client_count_, std::memory_order_relaxed);
  if (c->outstanding() == 0) delete c;
}

void Shard::publish() {
  published_keys.store(store_.size(), std::memory_order_relaxed);
  published_expiring.store(store_.expiring(), std::memory_order_relaxed);
  published_memory.store(store_.memory(), std::memory_order_relaxed);
  published_expired.store(store_.expired_keys(), std::memory_order_relaxed);
  published_evicted.store(store_.evicted_keys(), std::memory_order_relaxed);
}

}  // namespace weft::kv
