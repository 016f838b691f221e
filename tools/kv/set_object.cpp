#include "set_object.h"

namespace weft::kv {

SetObject::~SetObject() {
  table_.for_each([](auto& e) { e.key.release(); });
}

bool SetObject::add(std::string_view member) {
  const uint64_t h = StrTable<Unit>::hash(member);
  if (table_.find(member, h) != nullptr) return false;
  const Str k = Str::make(member);
  heap_bytes_ += k.heap_footprint();
  table_.insert(k, h);
  return true;
}

bool SetObject::remove(std::string_view member) {
  auto* e = table_.find(member);
  if (e == nullptr) return false;
  heap_bytes_ -= e->key.heap_footprint();
  e->key.release();
  table_.erase(e);
  return true;
}

}  // namespace weft::kv
