#include "weft/net/detail/outbound.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "weft/net/detail/send_tracker.h"
#include "transport/io.h"

namespace weft::detail {
namespace {

constexpr int kMaxIov = 64;
// One sendfile(2) call moves at most this much, so a huge range does not starve others.
constexpr uint64_t kMaxFileChunk = 1 << 20;

}  // namespace

Outbound::~Outbound() { clear(); }

Outbound::Extras& Outbound::extras() {
  if (extras_ == nullptr) extras_ = std::make_unique<Extras>();
  return *extras_;
}

void Outbound::append(SharedBytes shared) {
  if (shared.empty()) return;
  Extras& x = extras();
  uint64_t length = shared.size();
  x.shared += length;
  x.pieces.push_back(Piece{x.consumed + bytes_.size(), 0, length, std::move(shared)});
}

void Outbound::append_file(int file, uint64_t offset, uint64_t length) {
  if (length == 0) {
    ::close(file);
    return;
  }
  Extras& x = extras();
  x.file_left += length;
  Piece p{x.consumed + bytes_.size(), 0, length, SharedBytes()};
  p.file = file;
  p.offset = offset;
  x.pieces.push_back(std::move(p));
}

void Outbound::append_pipe(int pipe, uint64_t length) {
  Extras& x = extras();
  x.piped += length;
  Piece p{x.consumed + bytes_.size(), 0, length, SharedBytes()};
  p.file = pipe;
  p.pipe = true;
  x.pieces.push_back(std::move(p));
}

void Outbound::track(ConnHandle::Done done) {
  Extras& x = extras();
  if (x.tracker == nullptr) x.tracker = std::make_unique<SendTracker>();
  x.tracker->add(pending(), std::move(done));
}

void Outbound::complete_tracked() {
  if (extras_ != nullptr && extras_->tracker != nullptr) extras_->tracker->complete();
}

void Outbound::fail_tracked(std::error_code error) {
  if (extras_ == nullptr || extras_->tracker == nullptr) return;
  extras_->tracker->complete();
  extras_->tracker->fail_all(error);
}

void Outbound::clear() {
  bytes_.clear();
  if (extras_ == nullptr) return;
  for (Piece& p : extras_->pieces) {
    if (p.file >= 0 && !p.pipe) ::close(p.file);  // A pipe is its owner's to close.
  }
  extras_->pieces.clear();
  extras_->shared = 0;
  extras_->file_left = 0;
  extras_->piped = 0;
}

void Outbound::sent(size_t n) {
  if (extras_ != nullptr && extras_->tracker != nullptr) extras_->tracker->sent(n);
}

long Outbound::flush(Transport& transport, int fd) {
  if (extras_ != nullptr && !extras_->pieces.empty()) return flush_pieces(transport, fd);
  while (!bytes_.empty()) {
    iovec iov[kMaxIov];
    int count;
    size_t requested;
    std::string_view front = bytes_.front();
    if (front.size() == bytes_.size()) {  // One block: the usual case.
      iov[0] = {const_cast<char*>(front.data()), front.size()};
      count = 1;
      requested = front.size();
    } else {
      count = bytes_.fill_iovec(iov, kMaxIov);
      requested = 0;
      for (int i = 0; i < count; ++i) requested += iov[i].iov_len;
    }
    long n = transport_write(transport, fd, iov, count);
    if (n < 0) {
      if (n == -EINTR) continue;
      return n;
    }
    bytes_.consume(static_cast<size_t>(n));
    if (extras_ != nullptr) {
      extras_->consumed += static_cast<size_t>(n);
      sent(static_cast<size_t>(n));
    }
    if (static_cast<size_t>(n) < requested) return -EAGAIN;  // The socket buffer is full.
  }
  return 0;
}

long Outbound::flush_pieces(Transport& transport, int fd) {
  Extras& x = *extras_;
  while (!empty()) {
    if (!x.pieces.empty() && x.pieces.front().after == x.consumed && x.pieces.front().file >= 0) {
      Piece& p = x.pieces.front();
      size_t requested = 0;
      long n = p.pipe ? send_pipe_piece(transport, fd, p, requested) : send_file_piece(transport, fd, p, requested);
      if (n == -EINTR) continue;
      if (n < 0) return n;
      if (p.done == p.length) {
        if (!p.pipe) ::close(p.file);
        x.pieces.pop_front();
        continue;
      }
      if (static_cast<size_t>(n) < requested) return -EAGAIN;  // The socket buffer is full.
      continue;
    }
    iovec iov[kMaxIov];
    int count = fill_pieces(iov, kMaxIov);
    size_t requested = 0;
    for (int i = 0; i < count; ++i) requested += iov[i].iov_len;
    long n = transport_write(transport, fd, iov, count);
    if (n < 0) {
      if (n == -EINTR) continue;
      return n;
    }
    consume(static_cast<size_t>(n));
    sent(static_cast<size_t>(n));
    if (static_cast<size_t>(n) < requested) return -EAGAIN;
  }
  return 0;
}

// Fills iovecs with the queue from its front, through owned bytes and shared pieces,
// stopping before a file range.
int Outbound::fill_pieces(iovec* iov, int max) const {
  const Extras& x = *extras_;
  int count = 0;
  size_t from = 0;  // Offset into bytes_ of the next owned byte to emit.
  auto emit_owned = [&](size_t to) {
    size_t offset = 0;
    bytes_.for_each_segment([&](std::string_view s) {
      if (count == max || offset >= to) return false;
      size_t begin = std::max(from, offset);
      size_t end = std::min(to, offset + s.size());
      if (begin < end) iov[count++] = {const_cast<char*>(s.data() + (begin - offset)), end - begin};
      offset += s.size();
      return true;
    });
    from = to;
  };
  for (const Piece& p : x.pieces) {
    emit_owned(static_cast<size_t>(p.after - x.consumed));
    if (count == max || p.file >= 0) return count;
    std::string_view rest = p.shared.view().substr(static_cast<size_t>(p.done));
    iov[count++] = {const_cast<char*>(rest.data()), rest.size()};
  }
  emit_owned(bytes_.size());
  return count;
}

void Outbound::consume(size_t n) {
  Extras& x = *extras_;
  while (n > 0) {
    if (!x.pieces.empty() && x.pieces.front().after == x.consumed) {
      Piece& p = x.pieces.front();  // A shared piece: fill_pieces stops before files.
      uint64_t take = std::min<uint64_t>(n, p.length - p.done);
      p.done += take;
      x.shared -= take;
      n -= static_cast<size_t>(take);
      if (p.done == p.length) x.pieces.pop_front();
      continue;
    }
    size_t owned = x.pieces.empty() ? bytes_.size() : static_cast<size_t>(x.pieces.front().after - x.consumed);
    size_t take = std::min(n, owned);
    bytes_.consume(take);
    x.consumed += take;
    n -= take;
  }
}

long Outbound::send_file_piece(Transport& transport, int fd, Piece& p, size_t& requested) {
  Extras& x = *extras_;
  uint64_t want = std::min(p.length - p.done, kMaxFileChunk);
  requested = static_cast<size_t>(want);
  long n = transport.send_file(fd, p.file, p.offset + p.done, static_cast<size_t>(want));
  if (n == -EOPNOTSUPP) {
    // The transport cannot send from a file (TLS in user space): the chunk is read into a
    // pooled block and written; what the kernel does not take is read again next time.
    BlockPool& pool = bytes_.pool();
    Block* block = pool.acquire();
    size_t chunk = std::min<size_t>(static_cast<size_t>(want), block->capacity);
    requested = chunk;
    ssize_t got = ::pread(p.file, block->data(), chunk, static_cast<off_t>(p.offset + p.done));
    if (got <= 0) {
      pool.release(block);
      return got < 0 ? -errno : -EIO;  // The file shrank under its promised length.
    }
    iovec iov{block->data(), static_cast<size_t>(got)};
    n = transport_write(transport, fd, &iov, 1);
    pool.release(block);
  } else if (n == 0) {
    return -EIO;  // The file ended before its range did.
  }
  if (n < 0) return n;
  p.done += static_cast<uint64_t>(n);
  x.file_left -= static_cast<uint64_t>(n);
  sent(static_cast<size_t>(n));
  return n;
}

// Moves a pipe's bytes to the socket in the kernel. Only plain transports queue pipes
// (Conn::write_pipe checks): their bytes are the socket's own.
long Outbound::send_pipe_piece(Transport& transport, int fd, Piece& p, size_t& requested) {
  Extras& x = *extras_;
  if (!transport.plain()) return -EOPNOTSUPP;
  uint64_t want = std::min(p.length - p.done, kMaxFileChunk);
  requested = static_cast<size_t>(want);
  ssize_t n = ::splice(p.file, nullptr, fd, nullptr, requested, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (n < 0) return -errno;
  if (n == 0) return -EIO;  // The pipe held fewer bytes than promised.
  p.done += static_cast<uint64_t>(n);
  x.piped -= static_cast<size_t>(n);
  sent(static_cast<size_t>(n));
  return n;
}

}  // namespace weft::detail
