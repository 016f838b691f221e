#pragma once
// The dashboard: one HTML page with its script and styles inline, drawing its charts on
// canvases from the snapshots it receives over /dashboard/ws (json.h). It loads nothing
// else, so it works offline and behind any firewall.

#include <string_view>

namespace weft::metrics::detail {

std::string_view dashboard_page();

}  // namespace weft::metrics::detail
