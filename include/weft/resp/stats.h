#pragma once
// CommandStats: what a RESP server counts about the commands one of its loops runs. That
// loop's thread writes every cell (weft/core/stat_cell.h: no locked instruction); any
// thread may read them while the server lives.
//
// A command is counted once it has run on the loop that read it; `errors` counts those
// that answered with an error reply (ReplyWriter::errors). The latency of a command is
// that of the batch it arrived in: from the loop iteration that read it to the moment the
// batch's replies were written, or handed to the loops that own its keys.

#include "weft/core/histogram.h"
#include "weft/core/stat_cell.h"

namespace weft::resp {

struct CommandStats {
  StatCell commands;     // Commands run.
  StatCell errors;       // Of which answered with an error.
  Histogram latency_ns;  // Per command, in nanoseconds.
};

}  // namespace weft::resp
