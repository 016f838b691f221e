/* Reference UDP echo: the plainest fast server, one thread on one socket, recvmmsg a
 * batch, sendmmsg the same batch back to the senders. Usage: udp_mmsg_echo PORT [BATCH]
 * weft-echo's (udp://) target is at least 0.95 of this. Stops on SIGTERM/SIGINT. */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kMaxBatch = 1024, kSlot = 2048 };

static volatile sig_atomic_t g_stop;
static void on_signal(int s) { (void)s; g_stop = 1; }

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: udp_mmsg_echo PORT [BATCH]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  int batch = argc > 2 ? atoi(argv[2]) : 32;
  if (batch < 1 || batch > kMaxBatch) batch = 32;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: recvmmsg returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(fd, (struct sockaddr*)&a, sizeof a) < 0) {
    perror("bind");
    return 1;
  }
  static char bufs[kMaxBatch][kSlot];
  static struct sockaddr_storage names[kMaxBatch];
  static struct iovec iovs[kMaxBatch];
  static struct mmsghdr msgs[kMaxBatch];
  while (!g_stop) {
    for (int i = 0; i < batch; ++i) {
      iovs[i].iov_base = bufs[i];
      iovs[i].iov_len = kSlot;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_name = &names[i];
      msgs[i].msg_hdr.msg_namelen = sizeof names[i];
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    /* Blocks for the first datagram, then takes what else is queued. */
    int n = recvmmsg(fd, msgs, batch, MSG_WAITFORONE, NULL);
    if (n <= 0) continue;
    for (int i = 0; i < n; ++i) iovs[i].iov_len = msgs[i].msg_len;
    for (int sent = 0; sent < n;) {
      int r = sendmmsg(fd, msgs + sent, n - sent, 0);
      if (r <= 0) break;
      sent += r;
    }
  }
  close(fd);
  return 0;
}
