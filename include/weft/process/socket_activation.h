#pragma once
// Sockets handed over at exec time, and the service manager's notification socket.
//
// systemd's socket activation passes listening sockets as descriptors 3, 4, ... and names
// them in the environment: LISTEN_FDS (how many), LISTEN_PID (the process they are for)
// and LISTEN_FDNAMES (colon-separated names). A Supervisor hands its sockets to the next
// generation of itself the same way, so one code path adopts both.
//
// Threads: these functions read or change the environment; call them from the main thread
// before the program starts any other.

#include <string>
#include <string_view>
#include <vector>

namespace weft {

struct InheritedSocket {
  int fd = -1;
  std::string name;  // From LISTEN_FDNAMES; empty when not named.
};

// Takes the sockets passed to this process: none when LISTEN_FDS is unset or LISTEN_PID
// names another process (the variables were meant for a parent). The caller owns the
// descriptors, which are made close-on-exec. The three variables are removed from the
// environment so that the process's own children do not mistake them for theirs.
std::vector<InheritedSocket> take_inherited_sockets();

// Sends `state` ("READY=1", "STOPPING=1", "RELOADING=1", "MAINPID=42", several joined by
// newlines) to the service manager's socket named by NOTIFY_SOCKET, as sd_notify(3) does.
// Returns false when NOTIFY_SOCKET is unset or the message could not be sent.
bool notify_service_manager(std::string_view state);

}  // namespace weft
