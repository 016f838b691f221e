#include "http/deadlines.h"

namespace weft::http::detail {

Deadlines::Deadlines(EventLoop& loop, const Timeouts& t, Expire expire)
    : expire_(std::move(expire)),
      lists_{TimeoutList(loop, t.header, [this](Hook& h) { expire_(h, header); }),
             TimeoutList(loop, t.body, [this](Hook& h) { expire_(h, body); }),
             TimeoutList(loop, t.idle, [this](Hook& h) { expire_(h, idle); }),
             TimeoutList(loop, t.handler, [this](Hook& h) { expire_(h, handler); }),
             TimeoutList(loop, t.idle_on_stop, [this](Hook& h) { expire_(h, stopping); })} {}

}  // namespace weft::http::detail
