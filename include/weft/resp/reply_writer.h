#pragma once
// ReplyWriter encodes Redis replies, in RESP2 or in RESP3 (what a client gets after
// `HELLO 3`), straight into a connection's output Buffer or into a std::string.
//
//   weft::resp::ReplyWriter w(conn.output(), weft::resp::Protocol::resp2);
//   w.array(2);
//   w.bulk("value");
//   w.null();          // "$-1\r\n" in RESP2, "_\r\n" in RESP3
//   w.commit();        // or let the destructor do it
//   conn.commit_output();
//
// RESP3 types are written in their RESP2 form when the protocol is RESP2, as Redis does:
// a map is an array of 2n items, a set and a push are arrays, a double is a bulk string
// ("%.17g", "inf", "-inf"), a boolean is the integer 1 or 0, a verbatim string is a bulk
// string of its text.
//
// A request is an array of bulk strings, so a client encodes one with array() and bulk().
//
// The writer fills the free space of the target's last block directly; commit() makes
// those bytes part of the target (bytes that do not fit in a block are appended at once).
// Between writing and commit() nothing else may touch the target: no other writer, no
// Buffer::append, no Conn::write. A writer belongs to the thread that owns its target.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "weft/core/buffer.h"

namespace weft::resp {

enum class Protocol : uint8_t { resp2 = 2, resp3 = 3 };

class ReplyWriter {
 public:
  ReplyWriter(Buffer& out, Protocol protocol);
  ReplyWriter(std::string& out, Protocol protocol);
  ~ReplyWriter() { commit(); }
  ReplyWriter(const ReplyWriter&) = delete;
  ReplyWriter& operator=(const ReplyWriter&) = delete;

  Protocol protocol() const { return protocol_; }
  void set_protocol(Protocol protocol) { protocol_ = protocol; }

  void ok() { put("+OK\r\n", 5); }
  // "+text\r\n". The text must not hold CR or LF.
  void status(std::string_view text);
  // "-text\r\n"; text starts with the error code ("ERR ...", "WRONGTYPE ..."). CR and LF
  // in it become spaces, as Redis does, so the reply stays one line.
  void error(std::string_view text);
  void integer(int64_t value);
  void bulk(std::string_view bytes);
  // A bulk string holding the decimal form of value.
  void bulk(int64_t value);
  void null();        // A missing bulk string: "$-1" / "_".
  void null_array();  // A missing array: "*-1" / "_".
  void array(size_t count);
  void map(size_t pairs);
  void set(size_t count);
  void push(size_t count);
  void double_value(double value);
  void boolean(bool value);
  void verbatim(std::string_view text, std::string_view format = "txt");
  // Bytes already encoded in this writer's protocol.
  void raw(std::string_view bytes) { put(bytes.data(), bytes.size()); }

  // Makes what was written part of the target. Idempotent; the writer stays usable.
  void commit();

  // Error replies written so far (at any depth), for a server that counts them.
  uint64_t errors() const { return errors_; }

 private:
  void header(char type, int64_t value);
  void put(const char* bytes, size_t n) {
    if (static_cast<size_t>(end_ - cur_) >= n) {
      __builtin_memcpy(cur_, bytes, n);
      cur_ += n;
      return;
    }
    put_slow(bytes, n);
  }
  void put_slow(const char* bytes, size_t n);
  void refill();

  Buffer* buffer_ = nullptr;
  std::string* string_ = nullptr;
  char* start_ = nullptr;  // Uncommitted bytes are [start_, cur_).
  char* cur_ = nullptr;
  char* end_ = nullptr;
  Protocol protocol_;
  uint64_t errors_ = 0;
};

}  // namespace weft::resp
