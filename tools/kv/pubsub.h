#pragma once
// Pub/sub.

namespace weft::kv {

class Client;

// Drops every subscription of a client (RESET, and when its connection closes).
void unsubscribe_all(Client& client);

}  // namespace weft::kv
