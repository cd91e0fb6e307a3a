// SPDX-License-Identifier: Apache-2.0
// Who is on the other end of the control socket, from the kernel's word (SO_PEERCRED,
// SO_PEERGROUPS), never from anything the client sends. Deny when a lookup fails.
//
// Nothing here asks NSS (passwd, group: possibly LDAP over the network) on the control loop: the
// role groups are resolved to group ids once at start-up, the role is decided from the kernel's
// group list, and a user's name comes from PeerNames, which looks it up on its own thread.
#pragma once

#include <sys/types.h>

#include <optional>

#include "daemon/controller.hpp"

namespace treadd {

// The role groups as group ids (nullopt: no such group, nobody but root gets that role).
struct RoleGroupIds {
  std::optional<gid_t> clinician;
  std::optional<gid_t> operator_role;
};
// Start-up only (NSS): resolves the configured names.
RoleGroupIds resolve_role_groups(const RoleGroups& groups);

// The peer's uid and role, from the kernel alone (no NSS). `who` is "uid N" until PeerNames names it.
// root and the daemon's own user count as clinician; then group membership decides.
Peer identify_peer(int socket_fd, uid_t daemon_uid, const RoleGroupIds& groups);

// NSS lookup of a user's name ("uid N" when it has none): blocking, for a worker thread.
std::string user_name(uid_t uid);

}  // namespace treadd
