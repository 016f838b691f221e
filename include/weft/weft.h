#pragma once
// The whole public API of weft's reactor and callback layers.

#include "weft/core/address.h"
#include "weft/core/buffer.h"
#include "weft/core/error.h"
#include "weft/core/event_loop.h"
#include "weft/core/input_view.h"
#include "weft/core/log.h"
#include "weft/core/loop_group.h"
#include "weft/core/time.h"
#include "weft/net/conn.h"
#include "weft/net/conn_handle.h"
#include "weft/net/handler.h"
#include "weft/net/load_balancer.h"
#include "weft/net/server.h"
#include "weft/net/server_options.h"
