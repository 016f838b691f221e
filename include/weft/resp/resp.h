#pragma once
// RESP, Redis's protocol: the request parser, the reply writer and their limits. Link
// weft::resp.

#include "weft/resp/limits.h"
#include "weft/resp/reply_writer.h"
#include "weft/resp/request_parser.h"
