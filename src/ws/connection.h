#pragma once
// Connection: one WebSocket after the handshake, callback API. It is the WebSocket the
// handler sees and the protocol the HTTP session forwards its connection's events to
// (http::detail::Upgraded); it lives, and dies, with that session.
//
// Phases: open (messages both ways) -> closing (the server sent a close frame and waits
// for the client's, up to close_timeout) -> closed (the connection is closing; input is
// dropped). The handler's on_close runs once, whatever the path.
//
// Pings: while Options::ping_interval is set, the connection waits in a per-loop list for
// that long without traffic, then pings and waits in another list for ping_timeout; any
// input moves it back. Loop thread only.

#include <cstdint>
#include <memory>
#include <string>

#include "http/route.h"
#include "http/timeout_list.h"
#include "weft/net/conn.h"
#include "weft/ws/websocket.h"
#include "ws/deflate.h"
#include "ws/handshake.h"
#include "ws/message_decoder.h"

namespace weft::ws::detail {

// The per-loop lists of a given timeout (one each for ping interval, ping timeout and
// close timeout, shared by every route with the same durations).
http::detail::TimeoutList& timeout_list(EventLoop& loop, Duration timeout);

class Connection final : public WebSocket, public http::detail::Upgraded, public http::detail::TimeoutHook {
 public:
  Connection(Conn& conn, Handler& handler, const Options& options, const Handshake& handshake, std::string path);
  ~Connection() override;

  // After the 101 response: tells the handler, starts the ping clock.
  void start();

  // http::detail::Upgraded
  void on_traffic(Conn& conn) override;
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override;
  void on_high_water(Conn& conn) override;
  void on_low_water(Conn& conn) override;
  bool on_stopping(Conn& conn) override;

  // WebSocket's work.
  std::error_code send_message(std::string_view data, MessageType type);
  std::error_code send_frame(const Frame& frame);
  std::error_code send_ping(std::string_view payload);
  void start_close(uint16_t code, std::string_view reason);
  Conn& conn() const { return conn_; }
  bool open() const { return phase_ == Phase::open; }
  // Above the high water mark at the last flush, until the low-water event.
  bool congested() const { return high_water_; }

  // A timeout list this connection waits in expired.
  void on_timeout();

 private:
  enum class Phase : uint8_t { open, closing, closed };

  void send_control(uint8_t opcode, std::string_view payload);
  // The protocol was broken: close with code at once.
  void fail(uint16_t code, const char* reason);
  // Closes the connection and reports code to the handler (once).
  void end(uint16_t code, std::string_view reason);
  void report(uint16_t code, std::string_view reason);
  void wait_for_traffic();

  Conn& conn_;
  Handler& handler_;
  const Options& options_;
  std::unique_ptr<Inflater> inflater_;
  MessageDecoder decoder_;
  std::unique_ptr<Deflater> deflater_;
  DeflateParams deflate_;
  std::string compressed_;  // A message being compressed for sending.
  Phase phase_ = Phase::open;
  bool reported_ = false;
  bool awaiting_pong_ = false;
  bool high_water_ = false;
};

}  // namespace weft::ws::detail
