#pragma once
// RequestParser: llhttp in strict mode, plus the checks llhttp leaves to its user, so that
// what RFC 9112 says must be rejected is rejected, with the same answer however the bytes
// are split.
//
// The parser is incremental and keeps no copy of the head: it records where things are
// (offsets from the message's first byte) in a Request, and the caller resolves them
// against the head's bytes once the head is complete (Request::head_). Body bytes reach a
// BodySink as the parser meets them (chunked bodies dechunked); a Content-Length body is
// simply the bytes after the head.
//
// Split independence. llhttp's own answers depend only on the bytes, not on how they are
// cut. The checks added here run at positions fixed by the bytes (llhttp's *_complete
// callbacks, the end of the head, a chunk header) or look at piece offsets, never at
// where a piece ends. Limits on the head are enforced by never feeding llhttp past the
// limit: when the head is not complete at the limit the request is rejected, so a split
// cannot let llhttp see bytes (and report errors) beyond it.
//
// What is rejected, beyond llhttp's strict mode (status in brackets):
//   - a request line that is not exactly `method SP target SP HTTP/x.y CRLF`, a missing
//     version [400]; a version other than 1.0 and 1.1 [505];
//   - a bare LF ending the request line or the head [400];
//   - obs-fold (a field line starting with whitespace) [400]; an empty field name [400];
//   - Transfer-Encoding with HTTP/1.0 [400], where chunked is not the last coding or
//     appears twice [400], or with any coding besides chunked [501];
//   - HTTP/1.1 without exactly one Host, or a Host that is not a valid authority [400];
//   - an asterisk target other than with OPTIONS, an authority target other than with
//     CONNECT [400];
//   - Expect other than 100-continue [417];
//   - limits: request line [414], header section and field count [431], Content-Length
//     or chunk sizes above max_body [413], a chunk's extensions over 4 KiB [400],
//     trailers over max_header_section [431].
//
// Loop thread of the connection (or the fuzzer); one parser per connection.

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "weft/http/options.h"
#include "weft/http/request.h"

namespace weft::http::detail {

// Receives the body's bytes (dechunked) as the parser meets them.
class BodySink {
 public:
  virtual void on_body_bytes(std::string_view piece) = 0;

 protected:
  ~BodySink() = default;
};

class RequestParser {
 public:
  enum class Event : uint8_t {
    need_more,    // Every byte offered was parsed; nothing happened yet.
    head,         // The request's head is complete: request() describes it.
    message_end,  // The message, body and trailers included, is complete.
    error,        // The request is rejected: error_status() says how.
  };
  struct Step {
    Event event = Event::need_more;
    size_t used = 0;  // Bytes parsed; the caller offers the rest again.
  };

  static constexpr size_t kMaxChunkExtensions = 4096;

  explicit RequestParser(const Limits& limits);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Forgets everything: a fresh stream.
  void reset();

  // Parses the bytes that follow those parsed so far, stopping right after the next event.
  // Call it until it answers need_more (which means every byte was used), with no bytes
  // if need be: a message without a body ends right after its head. After an error every
  // call answers the same error again, using nothing.
  Step feed(std::string_view bytes);

  // The request being parsed. Its spans are offsets from the message's first byte; its
  // head_ pointer and body_ are for the caller to set. Cleared when the next message
  // begins (at the first feed after message_end).
  Request& request() { return request_; }
  // After head: the head's length, from the message's first byte (leading empty lines
  // included) through the empty line that ends it.
  size_t head_size() const { return head_size_; }
  // Bytes of the current message parsed so far.
  uint64_t message_bytes() const { return message_fed_; }
  bool head_complete() const { return head_done_; }
  bool in_message() const { return started_; }

  int error_status() const { return error_status_; }
  const char* error_reason() const { return error_reason_; }

  // Where the body's bytes go for the current message (nullptr: nowhere).
  void set_body_sink(BodySink* sink) { sink_ = sink; }

  // After message_end of a request whose upgrade the server declines: the bytes after it
  // are parsed as HTTP again.
  void continue_after_upgrade() { continue_upgrade_ = true; }

 private:
  friend struct Callbacks;

  enum class HeaderKind : uint8_t { other, host, transfer_encoding, expect };
  enum class TargetForm : uint8_t { unknown, origin, absolute, authority, asterisk };

  int fail(int status, const char* reason);
  void begin_message();
  int check_head();
  void scan_target(const char* at, size_t n, uint32_t offset);
  uint32_t offset_of(const char* at) const { return static_cast<uint32_t>(chunk_offset_ + (at - chunk_)); }

  // llhttp callbacks (see the .cpp); each returns 0 or an llhttp error.
  int on_method(const char* at, size_t n);
  int on_url(const char* at, size_t n);
  int on_version(const char* at, size_t n);
  int on_version_complete();
  int on_header_field(const char* at, size_t n);
  int on_header_field_complete();
  int on_header_value(const char* at, size_t n);
  int on_header_value_complete();
  int on_headers_complete();
  int on_body(const char* at, size_t n);
  int on_chunk_header();
  int on_chunk_extension(size_t n);
  int on_chunk_extensions_complete();
  int on_message_complete();

  llhttp_t parser_{};
  Limits limits_;
  Request request_;
  BodySink* sink_ = nullptr;

  // Where the bytes llhttp is looking at lie in the message.
  const char* chunk_ = nullptr;
  uint64_t chunk_offset_ = 0;
  uint64_t message_fed_ = 0;
  char last_two_[2] = {};  // The last two bytes parsed.

  // The request line.
  uint32_t method_end_ = 0;
  uint32_t url_start_ = 0;
  uint32_t url_end_ = 0;
  uint32_t version_start_ = 0;
  uint32_t version_end_ = 0;
  uint32_t line_end_ = 0;  // Just past the request line's CRLF.
  bool method_seen_ = false;
  bool url_seen_ = false;
  bool version_seen_ = false;
  bool line_done_ = false;

  // The target, scanned as it arrives.
  TargetForm form_ = TargetForm::unknown;
  uint8_t scheme_state_ = 0;  // Progress through "://" in an absolute target.
  bool path_started_ = false;
  bool query_started_ = false;

  // The field being parsed.
  Request::Field field_;
  bool field_started_ = false;
  bool expect_seen_ = false;
  uint32_t trailer_name_at_ = 0;  // In request_.trailer_text_.
  uint32_t trailer_value_at_ = 0;
  char name_[24] = {};  // Lower-cased start of the name, to recognise the few that matter.
  uint32_t name_size_ = 0;
  bool value_seen_ = false;
  uint32_t value_trimmed_end_ = 0;
  uint32_t last_line_end_ = 0;  // Where the last field's value ended (before its CRLF).
  HeaderKind kind_ = HeaderKind::other;
  uint32_t hosts_ = 0;
  bool host_invalid_ = false;
  std::string te_;      // Transfer-Encoding values, joined with ','.
  std::string expect_;  // The Expect value.

  // The body.
  uint64_t body_total_ = 0;
  size_t extensions_ = 0;

  // Trailers, copied as they come (request_.trailer_text_).
  size_t trailer_bytes_ = 0;
  bool trailer_too_long_ = false;

  size_t head_size_ = 0;
  bool started_ = false;
  bool head_done_ = false;
  bool line_pending_ = false;   // Paused at the end of the request line.
  bool head_pending_ = false;   // Paused at the end of the head; checks run in feed().
  bool message_done_ = false;   // Paused at the end of the message.
  bool after_message_ = false;  // The next feed starts a new message.
  bool continue_upgrade_ = false;
  int error_status_ = 0;
  const char* error_reason_ = "";
};

}  // namespace weft::http::detail
