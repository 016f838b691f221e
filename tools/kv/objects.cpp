// The container types as the store sees them: how to free one and how many bytes it takes.

#include "hash_object.h"
#include "list.h"
#include "set_object.h"
#include "store.h"
#include "zset_object.h"

namespace weft::kv {

void destroy_object(Type type, void* object) {
  switch (type) {
    case Type::list: delete static_cast<List*>(object); break;
    case Type::hash: delete static_cast<HashObject*>(object); break;
    case Type::set: delete static_cast<SetObject*>(object); break;
    case Type::zset: delete static_cast<ZSetObject*>(object); break;
    case Type::string: break;
  }
}

size_t object_footprint(Type type, const void* object) {
  switch (type) {
    case Type::list: return static_cast<const List*>(object)->footprint();
    case Type::hash: return static_cast<const HashObject*>(object)->footprint();
    case Type::set: return static_cast<const SetObject*>(object)->footprint();
    case Type::zset: return static_cast<const ZSetObject*>(object)->footprint();
    case Type::string: return 0;
  }
  return 0;
}

}  // namespace weft::kv
