// SPDX-License-Identifier: Apache-2.0
// A user's name is looked up off the loop (NSS may be LDAP and take seconds): asking never blocks,
// a directory that does not answer costs a connection its name, never the loop its tick.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>

#include "daemon/protocol/peer_names.hpp"

namespace treadd {
namespace {

using namespace std::chrono_literals;

TEST(PeerNames, asking_never_waits_for_the_directory_and_the_answer_comes_on_the_loop) {
  boost::asio::io_context io;
  std::atomic<int> lookups{0};
  PeerNames names(io, [&](uid_t uid) {
    ++lookups;
    std::this_thread::sleep_for(300ms);  // a slow LDAP server
    return "user" + std::to_string(uid);
  });
  std::string got;
  const auto t0 = std::chrono::steady_clock::now();
  names.name(1000, [&](const std::string& n) { got = n; });
  names.name(1000, [&](const std::string& n) { got += "+" + n; });  // the same user again: one lookup
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 50ms) << "asking for a name blocked";
  EXPECT_FALSE(names.cached(1000).has_value());
  io.run_for(1s);
  EXPECT_EQ(got, "user1000+user1000");
  EXPECT_EQ(lookups, 1);
  EXPECT_EQ(names.cached(1000), "user1000");
}

TEST(PeerNames, a_directory_that_does_not_answer_gives_the_uid_after_the_patience) {
  boost::asio::io_context io;
  PeerNames names(io, [](uid_t uid) {
    std::this_thread::sleep_for(600ms);
    return "late" + std::to_string(uid);
  }, 100ms);
  std::string got;
  names.name(42, [&](const std::string& n) { got = n; });
  io.run_for(300ms);
  EXPECT_EQ(got, "uid 42");
  io.restart();
  auto busy = boost::asio::make_work_guard(io);  // the late answer is posted from the lookup thread
  io.run_for(600ms);
  EXPECT_EQ(names.cached(42), "late42") << "a late answer still names the next connection";
}

}  // namespace
}  // namespace treadd
