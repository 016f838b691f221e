#include "pubsub.h"

#include "client.h"

namespace weft::kv {

void unsubscribe_all(Client& client) {
  client.channels.clear();
  client.patterns.clear();
}

}  // namespace weft::kv
