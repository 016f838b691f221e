#pragma once
// The whole public API of weft's coroutine layer (see docs/coroutines.md).

#include "weft/coro/channel.h"
#include "weft/coro/coro_server.h"
#include "weft/coro/datagram_socket.h"
#include "weft/coro/dial.h"
#include "weft/coro/frame_pool.h"
#include "weft/coro/offload.h"
#include "weft/coro/pool_lease.h"
#include "weft/coro/result.h"
#include "weft/coro/sleep.h"
#include "weft/coro/stream.h"
#include "weft/coro/stream_handle.h"
#include "weft/coro/task.h"
#include "weft/coro/with_timeout.h"
#include "weft/coro/worker_pool.h"
