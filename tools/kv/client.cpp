#include "client.h"

#include "shard.h"

namespace weft::kv {

Client::Client(Shard& shard, Conn& conn, uint64_t id, const resp::RequestLimits& limits, bool authenticated)
    : parser(limits),
      shard_(&shard),
      conn_(&conn),
      id_(id),
      authenticated_(authenticated),
      staging_writer_(staging_, resp::Protocol::resp2) {
  parser.set_authenticated(authenticated);
}

void Client::set_authenticated(bool yes) {
  authenticated_ = yes;
  parser.set_authenticated(yes);
}

resp::ReplyWriter& Client::writer() {
  if (pending_.empty() && active_writer != nullptr) {
    active_writer->set_protocol(protocol);
    return *active_writer;
  }
  staging_writer_.set_protocol(protocol);
  return staging_writer_;
}

void Client::emit(std::string_view bytes) {
  if (!pending_.empty()) {
    staging_ += bytes;
    return;
  }
  if (active_writer != nullptr) {
    active_writer->raw(bytes);
    return;
  }
  if (conn_ != nullptr) conn_->write(bytes);
}

uint64_t Client::reserve_slot() {
  // Replies made here since the last slot go in front of the new one.
  if (!pending_.empty() && !staging_.empty()) {
    pending_.push_back({next_slot_++, true, std::move(staging_)});
    staging_.clear();
  }
  pending_.push_back({next_slot_, false, {}});
  ++outstanding_;
  return next_slot_++;
}

void Client::fill_slot(uint64_t slot, std::string_view bytes) {
  --outstanding_;
  const uint64_t first = pending_.front().number;
  Slot& s = pending_[slot - first];
  s.bytes.assign(bytes);
  s.ready = true;
  drain();
}

void Client::drain() {
  while (!pending_.empty() && pending_.front().ready) {
    if (conn_ != nullptr) conn_->write(pending_.front().bytes);
    pending_.pop_front();
  }
  if (pending_.empty() && !staging_.empty()) {
    if (conn_ != nullptr) conn_->write(staging_);
    staging_.clear();
  }
  if (pending_.empty() && close_pending_ && conn_ != nullptr) conn_->close(close_error_);
}

void Client::close_after_replies(std::error_code error) {
  if (conn_ == nullptr) return;
  if (pending_.empty()) {
    conn_->close(error);
    return;
  }
  // Replies from other loops are still coming: no more input, and the close waits.
  close_pending_ = true;
  close_error_ = error;
  conn_->pause_reading();
}

ClientHandle::~ClientHandle() {
  client_->shard().release(client_);
}

}  // namespace weft::kv
