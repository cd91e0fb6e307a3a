// SPDX-License-Identifier: Apache-2.0
// Users' names for the journal, the audit and the records, looked up on a thread of their own:
// getpwuid_r may ask LDAP over the network and take seconds, which the control loop must never
// wait for. Names are cached on the loop; a connection of a user not yet named waits for its name
// (at most `patience`, then it is "uid N"), and the e-stop socket never waits at all.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace treadd {

class PeerNames {
 public:
  using Named = std::function<void(const std::string& name)>;
  explicit PeerNames(boost::asio::io_context& io, std::function<std::string(uid_t)> lookup,
                     std::chrono::milliseconds patience = std::chrono::milliseconds(2000));
  ~PeerNames();
  PeerNames(const PeerNames&) = delete;
  PeerNames& operator=(const PeerNames&) = delete;

  // Loop thread. The name if it is known already.
  std::optional<std::string> cached(uid_t uid) const;
  // Loop thread. `named` runs on the loop with the name, or with "uid N" after `patience` or when
  // 64 different users are already waiting for their lookup.
  void name(uid_t uid, Named named);
  std::uint64_t lookups() const { return lookups_; }

 private:
  void run();
  void answer(uid_t uid, const std::string& name);

  boost::asio::io_context& io_;
  std::function<std::string(uid_t)> lookup_;
  std::chrono::milliseconds patience_;
  // Loop thread only.
  std::map<uid_t, std::string> cache_;
  std::map<uid_t, std::vector<Named>> waiting_;
  std::uint64_t lookups_ = 0;
  // Shared with the lookup thread.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<uid_t> to_look_up_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace treadd
