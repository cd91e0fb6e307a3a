// Who is on the other end of the control socket, from the kernel's word (SO_PEERCRED,
// SO_PEERGROUPS), never from anything the client sends. Deny when a lookup fails.
#pragma once

#include <sys/types.h>

#include "daemon/controller.hpp"

namespace treadd {

inline constexpr const char* clinician_group = "treadd-clinician";
inline constexpr const char* operator_group = "treadd-operator";

// root and the daemon's own user count as clinician; then group membership decides.
Peer identify_peer(int socket_fd, uid_t daemon_uid);

}  // namespace treadd
