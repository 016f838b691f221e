/* UDP echo load: SOCKETS client sockets each keep WINDOW datagrams of SIZE bytes in
 * flight to 127.0.0.1:PORT, sending with sendmmsg and reading echoes with recvmmsg, for
 * SECONDS after WARMUP. A socket that hears nothing for 50 ms refills its window (those
 * datagrams count as lost). Prints one JSON line: echoes per second and losses.
 * Usage: udp_load PORT SECONDS [SIZE] [SOCKETS] [WINDOW] [WARMUP] */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "load_clock.h"

enum { kMaxSockets = 256, kMaxWindow = 256, kSlot = 2048 };

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: udp_load PORT SECONDS [SIZE] [SOCKETS] [WINDOW] [WARMUP]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  double seconds = atof(argv[2]);
  int size = argc > 3 ? atoi(argv[3]) : 64;
  int nsock = argc > 4 ? atoi(argv[4]) : 16;
  int window = argc > 5 ? atoi(argv[5]) : 16;
  double warmup = argc > 6 ? atof(argv[6]) : 0.5;
  if (nsock < 1 || nsock > kMaxSockets || window < 1 || window > kMaxWindow || size < 0 || size > kSlot) return 2;
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  static int fds[kMaxSockets];
  static int inflight[kMaxSockets];
  static double last_heard[kMaxSockets];
  static struct pollfd pfds[kMaxSockets];
  static char out[kSlot], in[kMaxWindow][kSlot];
  static struct iovec out_iov[kMaxWindow], in_iov[kMaxWindow];
  static struct mmsghdr out_msgs[kMaxWindow], in_msgs[kMaxWindow];
  memset(out, 'x', sizeof out);
  for (int i = 0; i < kMaxWindow; ++i) {
    out_iov[i].iov_base = out;
    out_iov[i].iov_len = (size_t)size;
    out_msgs[i].msg_hdr.msg_name = &to;
    out_msgs[i].msg_hdr.msg_namelen = sizeof to;
    out_msgs[i].msg_hdr.msg_iov = &out_iov[i];
    out_msgs[i].msg_hdr.msg_iovlen = 1;
    in_iov[i].iov_base = in[i];
    in_iov[i].iov_len = kSlot;
    in_msgs[i].msg_hdr.msg_iov = &in_iov[i];
    in_msgs[i].msg_hdr.msg_iovlen = 1;
  }
  double start = now();
  for (int s = 0; s < nsock; ++s) {
    fds[s] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    pfds[s].fd = fds[s];
    pfds[s].events = POLLIN;
    int r = sendmmsg(fds[s], out_msgs, window, 0);
    inflight[s] = r > 0 ? r : 0;
    last_heard[s] = start;
  }
  long long echoes = 0, lost = 0;
  double measure_from = start + warmup, end = measure_from + seconds;
  int measuring = 0;
  for (;;) {
    double t = now();
    if (!measuring && t >= measure_from) {
      measuring = 1;
      echoes = lost = 0;
    }
    if (t >= end) break;
    poll(pfds, (nfds_t)nsock, 10);
    t = now();
    for (int s = 0; s < nsock; ++s) {
      int got = 0;
      if (pfds[s].revents & POLLIN) {
        got = recvmmsg(fds[s], in_msgs, kMaxWindow, MSG_DONTWAIT, NULL);
        if (got < 0) got = 0;
      }
      if (got > 0) {
        echoes += got;
        inflight[s] -= got;
        if (inflight[s] < 0) inflight[s] = 0;
        last_heard[s] = t;
      } else if (t - last_heard[s] > 0.05) {
        lost += inflight[s];
        inflight[s] = 0;
        last_heard[s] = t;
      }
      int want = window - inflight[s];
      if (want > 0) {
        int r = sendmmsg(fds[s], out_msgs, want, 0);
        if (r > 0) inflight[s] += r;
      }
    }
  }
  double elapsed = now() - measure_from;
  printf("{\"echoes_per_sec\": %.0f, \"echoes\": %lld, \"lost\": %lld, \"seconds\": %.2f}\n", echoes / elapsed, echoes,
         lost, elapsed);
  return 0;
}
