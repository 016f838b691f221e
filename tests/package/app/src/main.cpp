// An application that uses weft: exits 0 when an echo round trip through a weft server
// on loopback succeeded.
//
// argc and argv are unused on purpose: the application builds without weft's warning
// flags, and weft's -Wextra -Werror must not reach it.

#include "app/echo_check.h"

int main(int argc, char** argv) {
  return app::echo_round_trip("hello, weft\n") ? 0 : 1;
}
