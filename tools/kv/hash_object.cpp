#include "hash_object.h"

namespace weft::kv {

HashObject::~HashObject() {
  for (auto& [k, v] : small_) {
    k.release();
    v.release();
  }
  if (table_) {
    table_->for_each([](auto& e) {
      e.key.release();
      e.value.release();
    });
  }
}

size_t HashObject::footprint() const {
  return sizeof(HashObject) + small_.capacity() * sizeof(small_[0]) + (table_ ? table_->footprint() : 0) + heap_bytes_;
}

const Str* HashObject::get(std::string_view field) const {
  if (table_) {
    const auto* e = table_->find(field);
    return e == nullptr ? nullptr : &e->value;
  }
  for (const auto& [k, v] : small_) {
    if (k == field) return &v;
  }
  return nullptr;
}

void HashObject::convert() {
  table_ = std::make_unique<StrTable<Str>>();
  for (auto& [k, v] : small_) table_->insert(k, StrTable<Str>::hash(k.view()))->value = v;
  small_.clear();
  small_.shrink_to_fit();
}

bool HashObject::set(std::string_view field, std::string_view value) {
  if (!table_ && (field.size() > kSmallValue || value.size() > kSmallValue)) convert();
  Str* existing = nullptr;
  if (table_) {
    const uint64_t h = StrTable<Str>::hash(field);
    auto* e = table_->find(field, h);
    if (e == nullptr) {
      const Str k = Str::make(field);
      const Str v = Str::make(value);
      heap_bytes_ += k.heap_footprint() + v.heap_footprint();
      table_->insert(k, h)->value = v;
      return true;
    }
    existing = &e->value;
  } else {
    for (auto& [k, v] : small_) {
      if (k == field) {
        existing = &v;
        break;
      }
    }
    if (existing == nullptr) {
      const Str k = Str::make(field);
      const Str v = Str::make(value);
      heap_bytes_ += k.heap_footprint() + v.heap_footprint();
      small_.emplace_back(k, v);
      if (small_.size() > kSmallEntries) convert();
      return true;
    }
  }
  heap_bytes_ -= existing->heap_footprint();
  existing->release();
  *existing = Str::make(value);
  heap_bytes_ += existing->heap_footprint();
  return false;
}

bool HashObject::erase(std::string_view field) {
  if (table_) {
    auto* e = table_->find(field);
    if (e == nullptr) return false;
    heap_bytes_ -= e->key.heap_footprint() + e->value.heap_footprint();
    e->key.release();
    e->value.release();
    table_->erase(e);
    return true;
  }
  for (size_t i = 0; i < small_.size(); ++i) {
    if (small_[i].first == field) {
      heap_bytes_ -= small_[i].first.heap_footprint() + small_[i].second.heap_footprint();
      small_[i].first.release();
      small_[i].second.release();
      small_.erase(small_.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
  }
  return false;
}

}  // namespace weft::kv
