/* Broadcast load for bench/broadcast/run.sh: holds CONNS connections to the broadcast
 * server at 127.0.0.1:PORT, waits for every one's greeting byte, then asks for one
 * broadcast at a time with a byte on the first connection, keeping WINDOW broadcasts in
 * flight: a broadcast counts as delivered once every connection has received its SIZE
 * bytes. Runs WARMUP then SECONDS, longer (up to a minute more) until 5 broadcasts were
 * delivered in the window; with SERVER_PID, reads that process's CPU time (/proc/PID/stat)
 * over the measured window. Prints one JSON line.
 * Usage: broadcast_load PORT CONNS SIZE SECONDS [WINDOW] [WARMUP] [SERVER_PID] */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "load_clock.h"

enum { kMaxConns = 10000, kMinBroadcasts = 5 };

static long long received[kMaxConns]; /* Bytes after the greeting. */
static int greeted[kMaxConns];

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: broadcast_load PORT CONNS SIZE SECONDS [WINDOW] [WARMUP] [SERVER_PID]\n");
    return 2;
  }
  int port = atoi(argv[1]), conns = atoi(argv[2]);
  long long size = atoll(argv[3]);
  double seconds = atof(argv[4]);
  int window = argc > 5 ? atoi(argv[5]) : 4;
  double warmup = argc > 6 ? atof(argv[6]) : 0.5;
  int server_pid = argc > 7 ? atoi(argv[7]) : 0;
  if (conns < 1 || conns > kMaxConns || size < 1 || window < 1) return 2;
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int ep = epoll_create1(0);
  static int fds[kMaxConns];
  for (int i = 0; i < conns; ++i) {
    fds[i] = socket(AF_INET, SOCK_STREAM, 0); /* Blocking connect: simple, and loopback is quick. */
    if (fds[i] < 0 || connect(fds[i], (struct sockaddr*)&to, sizeof to) < 0) {
      fprintf(stderr, "broadcast_load: connection %d: %s\n", i, strerror(errno));
      return 1;
    }
    int one = 1;
    setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  static char buf[1 << 16];
  static struct epoll_event events[1024];
  int waiting_greeting = conns;
  long long asked = 0, delivered = 0; /* Broadcasts asked for; delivered to every connection. */
  long long min_round = 0;            /* Rounds every connection has completed. */
  int at_min = conns;                 /* Connections whose completed rounds equal min_round. */
  double start = now(), measure_from = 0, end = 0, cpu_start = -1;
  int measuring = 0;
  long long base = 0; /* delivered when the window began. */
  double deadline = start + 30; /* Greetings must arrive by then. */
  for (;;) {
    double t = now();
    if (waiting_greeting == 0 && measure_from == 0) {
      measure_from = t + warmup;
      end = measure_from + seconds;
    }
    if (measure_from > 0 && !measuring && t >= measure_from) {
      measuring = 1;
      cpu_start = cpu_of(server_pid);
      base = delivered;
    }
    /* The window lasts SECONDS and at least kMinBroadcasts (16 KiB to 1,000 connections is
     * slow on a busy machine), but never more than a minute. */
    if (end > 0 && t >= end && (delivered - base >= kMinBroadcasts || t >= end + 60)) break;
    if (waiting_greeting > 0 && t > deadline) {
      fprintf(stderr, "broadcast_load: %d connections never greeted\n", waiting_greeting);
      return 1;
    }
    while (waiting_greeting == 0 && asked - delivered < window) {
      if (write(fds[0], "g", 1) != 1) {
        fprintf(stderr, "broadcast_load: trigger: %s\n", strerror(errno));
        return 1;
      }
      ++asked;
    }
    int n = epoll_wait(ep, events, 1024, 100);
    for (int e = 0; e < n; ++e) {
      int i = (int)events[e].data.u32;
      ssize_t got = read(fds[i], buf, sizeof buf);
      if (got <= 0) {
        fprintf(stderr, "broadcast_load: connection %d closed\n", i);
        return 1;
      }
      if (!greeted[i]) {
        greeted[i] = 1;
        --waiting_greeting;
        --got; /* The greeting byte leads every connection's stream. */
      }
      long long before = received[i] / size;
      received[i] += got;
      long long after = received[i] / size;
      if (before == min_round && after > min_round && --at_min == 0) {
        /* Every connection is past min_round: recount at the new minimum. */
        long long m = received[0] / size;
        for (int k = 1; k < conns; ++k) m = received[k] / size < m ? received[k] / size : m;
        min_round = m;
        at_min = 0;
        for (int k = 0; k < conns; ++k) at_min += received[k] / size == m;
        delivered = min_round;
      }
    }
  }
  double elapsed = now() - measure_from;
  double cpu = cpu_start >= 0 ? cpu_of(server_pid) - cpu_start : -1;
  long long broadcasts = delivered - base;
  long long deliveries = broadcasts * conns;
  printf("{\"broadcasts_per_sec\": %.1f, \"deliveries_per_sec\": %.0f, \"broadcasts\": %lld, \"conns\": %d, "
         "\"size\": %lld, \"seconds\": %.2f, \"server_cpu_s\": %.3f, \"server_cpu_ns_per_delivery\": %.1f}\n",
         broadcasts / elapsed, deliveries / elapsed, broadcasts, conns, size, elapsed, cpu,
         cpu >= 0 && deliveries > 0 ? cpu * 1e9 / (double)deliveries : -1.0);
  return 0;
}
