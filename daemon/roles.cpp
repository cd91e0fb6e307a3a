// SPDX-License-Identifier: Apache-2.0
#include "daemon/roles.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace treadd {

std::string user_name(uid_t uid) {
  std::vector<char> buf(4096);
  passwd pw{};
  passwd* result = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr) return pw.pw_name;
  return "uid " + std::to_string(uid);
}

namespace {

std::optional<gid_t> group_id(const char* name) {
  std::vector<char> buf(8192);
  group gr{};
  group* result = nullptr;
  if (getgrnam_r(name, &gr, buf.data(), buf.size(), &result) == 0 && result != nullptr) return gr.gr_gid;
  return std::nullopt;
}

std::optional<std::vector<gid_t>> peer_groups(int fd) {
  std::vector<gid_t> groups(64);
  socklen_t len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
  if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) != 0) {
    if (errno != ERANGE) return std::nullopt;
    groups.resize(len / sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) != 0) return std::nullopt;
  }
  groups.resize(len / sizeof(gid_t));
  return groups;
}

}  // namespace

RoleGroupIds resolve_role_groups(const RoleGroups& groups) {
  return RoleGroupIds{group_id(groups.clinician.c_str()), group_id(groups.operator_role.c_str())};
}

Peer identify_peer(int socket_fd, uid_t daemon_uid, const RoleGroupIds& role_groups) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return Peer{Role::viewer, "unknown peer"};
  Peer peer{Role::viewer, "uid " + std::to_string(cred.uid), cred.uid};
  if (cred.uid == 0 || cred.uid == daemon_uid) {
    peer.role = Role::clinician;
    return peer;
  }
  auto groups = peer_groups(socket_fd);
  if (!groups) return peer;
  groups->push_back(cred.gid);
  auto member = [&](const std::optional<gid_t>& gid) {
    return gid && std::find(groups->begin(), groups->end(), *gid) != groups->end();
  };
  if (member(role_groups.clinician)) {
    peer.role = Role::clinician;
  } else if (member(role_groups.operator_role)) {
    peer.role = Role::operator_role;
  }
  return peer;
}

}  // namespace treadd
