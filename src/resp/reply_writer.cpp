#include "weft/resp/reply_writer.h"

#include <cmath>
#include <cstdio>

namespace weft::resp {
namespace {

// Writes the decimal form of v ending just before `end`; returns where it begins.
char* format_integer(char* end, int64_t v) {
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    *--end = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0) *--end = '-';
  return end;
}

}  // namespace

ReplyWriter::ReplyWriter(Buffer& out, Protocol protocol) : buffer_(&out), protocol_(protocol) {
  refill();
}

// A string target is appended to directly: it serves replies computed on one thread and
// handed to another, where a copy is made anyway.
ReplyWriter::ReplyWriter(std::string& out, Protocol protocol) : string_(&out), protocol_(protocol) {}

void ReplyWriter::refill() {
  if (buffer_ == nullptr) return;
  std::span<char> space = buffer_->tail_space();
  start_ = cur_ = space.data();
  end_ = space.data() + space.size();
}

void ReplyWriter::commit() {
  if (cur_ == start_) return;
  buffer_->commit(static_cast<size_t>(cur_ - start_));
  start_ = cur_;
}

void ReplyWriter::put_slow(const char* bytes, size_t n) {
  if (string_ != nullptr) {
    string_->append(bytes, n);
    return;
  }
  commit();
  std::span<char> space = buffer_->prepare();
  if (space.size() >= n) {
    start_ = cur_ = space.data();
    end_ = space.data() + space.size();
    __builtin_memcpy(cur_, bytes, n);
    cur_ += n;
    return;
  }
  // Longer than the tail block's free space: appended as it is, across blocks.
  buffer_->append(bytes, n);
  refill();
}

void ReplyWriter::header(char type, int64_t value) {
  char tmp[24];
  char* const end = tmp + sizeof tmp;
  end[-2] = '\r';
  end[-1] = '\n';
  char* begin = format_integer(end - 2, value);
  *--begin = type;
  put(begin, static_cast<size_t>(end - begin));
}

void ReplyWriter::status(std::string_view text) {
  put("+", 1);
  put(text.data(), text.size());
  put("\r\n", 2);
}

void ReplyWriter::error(std::string_view text) {
  ++errors_;
  put("-", 1);
  // Usually clean: written as is, and only otherwise piece by piece.
  size_t from = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' || text[i] == '\n') {
      put(text.data() + from, i - from);
      put(" ", 1);
      from = i + 1;
    }
  }
  put(text.data() + from, text.size() - from);
  put("\r\n", 2);
}

void ReplyWriter::integer(int64_t value) {
  header(':', value);
}

void ReplyWriter::bulk(std::string_view bytes) {
  const size_t n = bytes.size();
  // The usual case, a short string with room for it in the block: written in one pass.
  if (n < 100 && static_cast<size_t>(end_ - cur_) >= n + 8) {
    char* p = cur_;
    *p++ = '$';
    if (n >= 10) *p++ = static_cast<char>('0' + n / 10);
    *p++ = static_cast<char>('0' + n % 10);
    *p++ = '\r';
    *p++ = '\n';
    __builtin_memcpy(p, bytes.data(), n);
    p += n;
    *p++ = '\r';
    *p++ = '\n';
    cur_ = p;
    return;
  }
  header('$', static_cast<int64_t>(n));
  put(bytes.data(), n);
  put("\r\n", 2);
}

void ReplyWriter::bulk(int64_t value) {
  char digits[24];
  char* end = digits + sizeof digits;
  char* begin = format_integer(end, value);
  bulk(std::string_view(begin, static_cast<size_t>(end - begin)));
}

void ReplyWriter::null() {
  if (protocol_ == Protocol::resp3) {
    put("_\r\n", 3);
  } else {
    put("$-1\r\n", 5);
  }
}

void ReplyWriter::null_array() {
  if (protocol_ == Protocol::resp3) {
    put("_\r\n", 3);
  } else {
    put("*-1\r\n", 5);
  }
}

void ReplyWriter::array(size_t count) {
  header('*', static_cast<int64_t>(count));
}

void ReplyWriter::map(size_t pairs) {
  if (protocol_ == Protocol::resp3) {
    header('%', static_cast<int64_t>(pairs));
  } else {
    header('*', static_cast<int64_t>(pairs * 2));
  }
}

void ReplyWriter::set(size_t count) {
  header(protocol_ == Protocol::resp3 ? '~' : '*', static_cast<int64_t>(count));
}

void ReplyWriter::push(size_t count) {
  header(protocol_ == Protocol::resp3 ? '>' : '*', static_cast<int64_t>(count));
}

void ReplyWriter::double_value(double value) {
  char text[40];
  int n;
  if (std::isinf(value)) {
    n = std::snprintf(text, sizeof text, "%s", value > 0 ? "inf" : "-inf");
  } else {
    n = std::snprintf(text, sizeof text, "%.17g", value);
  }
  if (protocol_ == Protocol::resp2) {
    bulk(std::string_view(text, static_cast<size_t>(n)));
    return;
  }
  put(",", 1);
  put(text, static_cast<size_t>(n));
  put("\r\n", 2);
}

void ReplyWriter::boolean(bool value) {
  if (protocol_ == Protocol::resp3) {
    put(value ? "#t\r\n" : "#f\r\n", 4);
  } else {
    put(value ? ":1\r\n" : ":0\r\n", 4);
  }
}

void ReplyWriter::verbatim(std::string_view text, std::string_view format) {
  if (protocol_ == Protocol::resp2) {
    bulk(text);
    return;
  }
  header('=', static_cast<int64_t>(format.size() + 1 + text.size()));
  put(format.data(), format.size());
  put(":", 1);
  put(text.data(), text.size());
  put("\r\n", 2);
}

}  // namespace weft::resp
