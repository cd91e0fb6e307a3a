// Who is on the other end of the control socket, from the kernel's word (SO_PEERCRED,
// SO_PEERGROUPS), never from anything the client sends. Deny when a lookup fails.
#pragma once

#include <sys/types.h>

#include "daemon/controller.hpp"

namespace treadd {

struct RoleGroups {
  std::string clinician = "treadd-clinician";
  std::string operator_role = "treadd-operator";
};

// root and the daemon's own user count as clinician; then group membership decides.
Peer identify_peer(int socket_fd, uid_t daemon_uid, const RoleGroups& groups);

}  // namespace treadd
