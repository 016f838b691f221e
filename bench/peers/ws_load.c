/* WebSocket echo load for bench/ws/run.sh: opens CONNS WebSocket connections to
 * ws://127.0.0.1:PORT/PATH (no extension offered, so no permessage-deflate), then on each
 * keeps PIPELINE masked binary messages of SIZE bytes in flight, sending one more as each
 * echo completes. Every echoed frame is checked: a final unmasked binary frame of SIZE
 * bytes holding exactly the bytes sent, in order (message k of a connection carries a
 * pseudo-random pattern at an offset that depends on k, so a lost, repeated or reordered
 * message shows). Anything else counts as an error and ends that connection.
 *
 * Runs WARMUP seconds unrecorded, then SECONDS measured; with SERVER_PID, reads that
 * process's CPU time (/proc/PID/stat) over the measured window, and its own CPU time
 * (getrusage) beside it: when the load needs about as much per message as the server, it
 * is the load that sets the pace. Prints one JSON line.
 * Exits 1 when no connection could be opened, a connection failed, or nothing was echoed.
 * Usage: ws_load PORT CONNS SIZE SECONDS [PIPELINE] [WARMUP] [SERVER_PID] [PATH] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "load_clock.h"

enum { kMaxConns = 10000, kMaxPipeline = 128, kReadSize = 1 << 16 };

/* The key RFC 6455 uses as its example, and the accept value it gives for it. */
static const char kKey[] = "dGhlIHNhbXBsZSBub25jZQ==";
static const char kAccept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

struct Conn {
  int fd;
  int failed;
  uint64_t sent;   /* Messages sent. */
  uint64_t echoed; /* Messages whose echo was read whole. */
  uint8_t mask[4]; /* This connection's masking key (one per connection is allowed). */
  /* The frame being read: its header, then how much of its payload has arrived. */
  uint8_t header[14];
  size_t header_have;
  size_t payload_have;
  int in_payload;
  /* Frames written in part: out[out_at, out_len). */
  char* out;
  size_t out_at, out_len;
};

static struct Conn conns[kMaxConns];
static size_t g_size;
static size_t g_header; /* Server frame header size for SIZE: 2, 4 or 10. */
static char* g_pattern; /* SIZE + 256 pseudo-random bytes. */
static long long g_errors;

/* The payload of message k: the pattern from offset k % 256. */
/* This process's own CPU time in seconds. */
static double own_cpu(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
         (double)u.ru_stime.tv_usec / 1e6;
}

static const char* expected(uint64_t k) {
  return g_pattern + (k & 255);
}

static size_t write_header(uint8_t* h, size_t size, int masked) {
  h[0] = 0x82; /* FIN, binary. */
  size_t n;
  if (size < 126) {
    h[1] = (uint8_t)size;
    n = 2;
  } else if (size <= 0xFFFF) {
    h[1] = 126;
    h[2] = (uint8_t)(size >> 8);
    h[3] = (uint8_t)size;
    n = 4;
  } else {
    h[1] = 127;
    for (int i = 0; i < 8; ++i) h[2 + i] = (uint8_t)((uint64_t)size >> (56 - 8 * i));
    n = 10;
  }
  if (masked) h[1] |= 0x80;
  return n;
}

/* Appends message c->sent, masked, to c->out. */
static void append_message(struct Conn* c) {
  uint8_t* at = (uint8_t*)c->out + c->out_len;
  size_t h = write_header(at, g_size, 1);
  memcpy(at + h, c->mask, 4);
  h += 4;
  const char* src = expected(c->sent);
  uint8_t* dst = at + h;
  uint32_t k32;
  memcpy(&k32, c->mask, 4);
  const uint64_t k64 = (uint64_t)k32 << 32 | k32;
  size_t i = 0;
  for (; i + 8 <= g_size; i += 8) {
    uint64_t v;
    memcpy(&v, src + i, 8);
    v ^= k64;
    memcpy(dst + i, &v, 8);
  }
  for (; i < g_size; ++i) dst[i] = (uint8_t)(src[i] ^ c->mask[i & 3]);
  c->out_len += h + g_size;
  c->sent++;
}

static void fail(struct Conn* c, const char* why) {
  if (c->failed) return;
  c->failed = 1;
  ++g_errors;
  fprintf(stderr, "ws_load: connection %d: %s\n", (int)(c - conns), why);
  close(c->fd); /* Also leaves the epoll set. */
}

/* Writes what is pending; returns 0 when all of it went, 1 when some waits, -1 on error. */
static int flush(struct Conn* c) {
  while (c->out_at < c->out_len) {
    ssize_t n = write(c->fd, c->out + c->out_at, c->out_len - c->out_at);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return 1;
      return -1;
    }
    c->out_at += (size_t)n;
  }
  c->out_at = c->out_len = 0;
  return 0;
}

/* Tops the connection up to PIPELINE messages in flight and writes them at once. */
static void top_up(struct Conn* c, int pipeline, int ep) {
  if (c->out_len > 0) return; /* Still writing: EPOLLOUT brings us back. */
  while (c->sent - c->echoed < (uint64_t)pipeline) append_message(c);
  int r = flush(c);
  if (r < 0) {
    fail(c, "write failed");
    return;
  }
  if (r > 0) {
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)(c - conns)};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
  }
}

/* Checks n echoed bytes; returns the number of messages they completed, or -1. */
static long consume(struct Conn* c, const uint8_t* p, size_t n) {
  long done = 0;
  while (n > 0) {
    if (!c->in_payload) {
      size_t take = g_header - c->header_have < n ? g_header - c->header_have : n;
      memcpy(c->header + c->header_have, p, take);
      c->header_have += take;
      p += take;
      n -= take;
      if (c->header_have < g_header) break;
      uint8_t want[14];
      write_header(want, g_size, 0);
      if (memcmp(c->header, want, g_header) != 0) {
        fail(c, (c->header[0] & 0x0F) == 0x8 ? "the server sent a close frame" : "unexpected frame header");
        return -1;
      }
      c->header_have = 0;
      c->payload_have = 0;
      c->in_payload = 1;
      continue;
    }
    size_t take = g_size - c->payload_have < n ? g_size - c->payload_have : n;
    if (memcmp(p, expected(c->echoed) + c->payload_have, take) != 0) {
      fail(c, "echoed bytes differ from those sent");
      return -1;
    }
    c->payload_have += take;
    p += take;
    n -= take;
    if (c->payload_have == g_size) {
      c->in_payload = 0;
      if (++c->echoed > c->sent) {
        fail(c, "more echoes than messages");
        return -1;
      }
      ++done;
    }
  }
  return done;
}

/* Opens connection i and completes the handshake (blocking; loopback is quick). */
static int open_conn(int i, const struct sockaddr_in* to, int port, const char* path) {
  struct Conn* c = &conns[i];
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd < 0 || connect(c->fd, (const struct sockaddr*)to, sizeof *to) < 0) return -1;
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct timeval tv = {.tv_sec = 10};
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char req[512];
  int len = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     path, port, kKey);
  if (write(c->fd, req, (size_t)len) != len) return -1;
  /* Reads the response a byte at a time so that nothing after it is taken: the server
   * sends nothing before it hears from us, but this stays right if it did. */
  char resp[4096];
  size_t have = 0;
  while (have < sizeof resp - 1) {
    ssize_t n = read(c->fd, resp + have, 1);
    if (n <= 0) return -1;
    have += (size_t)n;
    if (have >= 4 && memcmp(resp + have - 4, "\r\n\r\n", 4) == 0) break;
  }
  resp[have] = 0;
  if (strncmp(resp, "HTTP/1.1 101", 12) != 0 || !strcasestr(resp, kAccept)) {
    fprintf(stderr, "ws_load: connection %d: handshake refused: %.80s\n", i, resp);
    return -1;
  }
  if (strcasestr(resp, "permessage-deflate")) {
    fprintf(stderr, "ws_load: the server enabled compression it was not offered\n");
    return -1;
  }
  fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
  uint32_t m = 0x9E3779B9u * (uint32_t)(i + 1);
  memcpy(c->mask, &m, 4);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: ws_load PORT CONNS SIZE SECONDS [PIPELINE] [WARMUP] [SERVER_PID] [PATH]\n");
    return 2;
  }
  int port = atoi(argv[1]), nconns = atoi(argv[2]);
  long long size = atoll(argv[3]);
  double seconds = atof(argv[4]);
  int pipeline = argc > 5 ? atoi(argv[5]) : 1;
  double warmup = argc > 6 ? atof(argv[6]) : 1;
  int server_pid = argc > 7 ? atoi(argv[7]) : 0;
  const char* path = argc > 8 ? argv[8] : "/ws";
  if (port <= 0 || port > 65535 || nconns < 1 || nconns > kMaxConns || size < 1 || size > (1 << 24) || seconds <= 0 ||
      pipeline < 1 || pipeline > kMaxPipeline || warmup < 0) {
    fprintf(stderr, "ws_load: a bad argument\n");
    return 2;
  }
  g_size = (size_t)size;
  uint8_t scratch[14];
  g_header = write_header(scratch, g_size, 0);
  g_pattern = malloc(g_size + 256);
  uint64_t x = 0x243F6A8885A308D3ull; /* xorshift64: bytes with no short period. */
  for (size_t i = 0; i < g_size + 256; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    g_pattern[i] = (char)x;
  }
  static char buf[kReadSize];

  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int ep = epoll_create1(0);
  for (int i = 0; i < nconns; ++i) {
    if (open_conn(i, &to, port, path) < 0) {
      fprintf(stderr, "ws_load: connection %d did not open: %s\n", i, strerror(errno));
      return 1;
    }
    conns[i].out = malloc((size_t)pipeline * (g_size + 14));
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
  }
  for (int i = 0; i < nconns; ++i) top_up(&conns[i], pipeline, ep);

  static struct epoll_event events[1024];
  double measure_from = now() + warmup, end = measure_from + seconds, cpu_start = -1, own_start = 0;
  int measuring = 0, alive = nconns;
  long long echoes = 0, base = 0;
  for (;;) {
    double t = now();
    if (!measuring && t >= measure_from) {
      measuring = 1;
      cpu_start = cpu_of(server_pid);
      own_start = own_cpu();
      base = echoes;
    }
    if (t >= end || alive == 0) break;
    int n = epoll_wait(ep, events, 1024, 50);
    for (int e = 0; e < n; ++e) {
      struct Conn* c = &conns[events[e].data.u32];
      if (c->failed) continue;
      if (events[e].events & EPOLLOUT) {
        int r = flush(c);
        if (r < 0) {
          fail(c, "write failed");
          --alive;
          continue;
        }
        if (r == 0) {
          struct epoll_event ev = {.events = EPOLLIN, .data.u32 = events[e].data.u32};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
      }
      if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      ssize_t got = read(c->fd, buf, sizeof buf);
      if (got < 0 && errno == EAGAIN) continue;
      if (got <= 0) {
        fail(c, got == 0 ? "closed by the server" : strerror(errno));
        --alive;
        continue;
      }
      long done = consume(c, (const uint8_t*)buf, (size_t)got);
      if (done < 0) {
        --alive;
        continue;
      }
      if (done > 0) {
        echoes += done;
        top_up(c, pipeline, ep);
        if (c->failed) --alive;
      }
    }
  }
  double elapsed = now() - measure_from;
  double cpu = cpu_start >= 0 ? cpu_of(server_pid) - cpu_start : -1;
  double own = own_cpu() - own_start;
  long long measured = measuring ? echoes - base : 0;
  /* A polite end: a masked close frame (1000) on every live connection, then close. */
  for (int i = 0; i < nconns; ++i) {
    if (conns[i].failed) continue;
    if (conns[i].out_len == 0) {
      const uint8_t frame[] = {0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8};
      ssize_t ignored = write(conns[i].fd, frame, sizeof frame);
      (void)ignored;
    }
    close(conns[i].fd);
  }
  printf(
      "{\"msgs_per_sec\": %.1f, \"msgs\": %lld, \"errors\": %lld, \"conns\": %d, \"size\": %zu, "
      "\"pipeline\": %d, \"seconds\": %.2f, \"server_cpu_s\": %.3f, \"server_cpu_us_per_msg\": %.3f, "
      "\"load_cpu_us_per_msg\": %.3f}\n",
      elapsed > 0 ? (double)measured / elapsed : 0.0, measured, g_errors, nconns, g_size, pipeline, elapsed, cpu,
      cpu >= 0 && measured > 0 ? cpu * 1e6 / (double)measured : -1.0,
      measured > 0 ? own * 1e6 / (double)measured : -1.0);
  return g_errors == 0 && measured > 0 ? 0 : 1;
}
