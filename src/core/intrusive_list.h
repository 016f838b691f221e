#pragma once
// IntrusiveList: a doubly linked list threaded through a hook member of its elements, so
// linking, unlinking and moving an element to the tail are O(1) and never allocate.
//
//   struct Item {
//     ListHook<Item> hook;
//   };
//   IntrusiveList<Item, &Item::hook> list;
//   list.push_back(item);
//   list.move_to_back(item);   // most recently used last
//   list.remove(item);
//
// The hook is any member with `T* prev` and `T* next` (ListHook<T> is one; a public header
// that cannot include this file declares its own). An element is in at most one list per
// hook; the list does not own its elements, and an element must be removed before it is
// destroyed. Unlinked hooks have both pointers null. Not thread-safe: one owner thread.

#include <cstddef>

namespace weft::detail {

template <class T>
struct ListHook {
  T* prev = nullptr;
  T* next = nullptr;
};

template <class T, auto Hook>
class IntrusiveList {
 public:
  IntrusiveList() = default;
  // Moving takes the elements along (they point at each other, not at the list).
  IntrusiveList(IntrusiveList&& other) noexcept : head_(other.head_), tail_(other.tail_), size_(other.size_) {
    other.head_ = other.tail_ = nullptr;
    other.size_ = 0;
  }
  IntrusiveList& operator=(IntrusiveList&&) = delete;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  bool empty() const { return head_ == nullptr; }
  size_t size() const { return size_; }
  T* front() const { return head_; }
  T* back() const { return tail_; }
  // The element after t, or null at the tail.
  static T* next(const T& t) { return (t.*Hook).next; }

  bool contains(const T& t) const { return (t.*Hook).prev != nullptr || head_ == &t; }

  // t must not be in the list.
  void push_back(T& t) {
    auto& h = t.*Hook;
    h.prev = tail_;
    h.next = nullptr;
    if (tail_ != nullptr) {
      (tail_->*Hook).next = &t;
    } else {
      head_ = &t;
    }
    tail_ = &t;
    ++size_;
  }

  // Unlinks t; returns false (and does nothing) if it is not in the list.
  bool remove(T& t) {
    if (!contains(t)) return false;
    auto& h = t.*Hook;
    if (h.prev != nullptr) {
      (h.prev->*Hook).next = h.next;
    } else {
      head_ = h.next;
    }
    if (h.next != nullptr) {
      (h.next->*Hook).prev = h.prev;
    } else {
      tail_ = h.prev;
    }
    h.prev = h.next = nullptr;
    --size_;
    return true;
  }

  // Makes t the last element, linking it if it is not in the list.
  void move_to_back(T& t) {
    if (tail_ == &t) return;
    remove(t);
    push_back(t);
  }

  // Unlinks and returns the first element, or null.
  T* pop_front() {
    T* t = head_;
    if (t != nullptr) remove(*t);
    return t;
  }

 private:
  T* head_ = nullptr;
  T* tail_ = nullptr;
  size_t size_ = 0;
};

}  // namespace weft::detail
