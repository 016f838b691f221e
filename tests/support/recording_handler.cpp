#include "recording_handler.h"

namespace weft::test {

std::string CloseRecord::describe() const {
  return std::string(to_string(reason)) + " (" + (error ? error.message() : "no error") + ")";
}

void echo_all(Conn& conn) {
  InputView in = conn.inbound();
  for (size_t i = 0; i < in.segment_count(); ++i) conn.write(in.segment(i));
  conn.discard();
}

void RecordingHandler::on_open(Conn&) {
  opened.add();
}

void RecordingHandler::on_traffic(Conn& conn) {
  echo_all(conn);
}

void RecordingHandler::on_close(Conn&, CloseReason reason, std::error_code error) {
  {
    std::lock_guard lock(mutex_);
    closes_.push_back({reason, error});
  }
  closed.add();
}

std::vector<CloseRecord> RecordingHandler::close_records() const {
  std::lock_guard lock(mutex_);
  return closes_;
}

std::vector<CloseRecord> RecordingHandler::wait_closes(size_t n, Duration timeout) const {
  closed.wait_for(n, timeout);
  return close_records();
}

}  // namespace weft::test
