// SPDX-License-Identifier: Apache-2.0
#include "daemon/protocol/peer_names.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

namespace treadd {

namespace {
constexpr std::size_t max_waiting_users = 64;
constexpr std::size_t max_cached_users = 4096;
std::string uid_text(uid_t uid) { return "uid " + std::to_string(uid); }
}  // namespace

PeerNames::PeerNames(boost::asio::io_context& io, std::function<std::string(uid_t)> lookup,
                     std::chrono::milliseconds patience)
    : io_(io), lookup_(std::move(lookup)), patience_(patience), thread_([this] { run(); }) {}

PeerNames::~PeerNames() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::optional<std::string> PeerNames::cached(uid_t uid) const {
  if (auto it = cache_.find(uid); it != cache_.end()) return it->second;
  return std::nullopt;
}

void PeerNames::name(uid_t uid, Named named) {
  if (auto known = cached(uid)) {
    named(*known);
    return;
  }
  auto [it, first] = waiting_.try_emplace(uid);
  if (first && waiting_.size() > max_waiting_users) {
    waiting_.erase(it);
    named(uid_text(uid));
    return;
  }
  it->second.push_back(std::move(named));
  if (!first) return;
  ++lookups_;
  {
    std::lock_guard lock(mutex_);
    to_look_up_.push_back(uid);
  }
  wake_.notify_one();
  // A directory that does not answer: the connection goes on as "uid N" after `patience`.
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, patience_);
  timer->async_wait([this, uid, timer](const boost::system::error_code& ec) {
    if (!ec) answer(uid, uid_text(uid));
  });
}

void PeerNames::answer(uid_t uid, const std::string& name) {
  auto it = waiting_.find(uid);
  if (it == waiting_.end()) return;  // answered already (the lookup or the timer came first)
  std::vector<Named> callbacks = std::move(it->second);
  waiting_.erase(it);
  if (name != uid_text(uid)) {
    if (cache_.size() >= max_cached_users) cache_.clear();
    cache_[uid] = name;
  }
  for (auto& named : callbacks) named(name);
}

void PeerNames::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !to_look_up_.empty(); });
    if (stopping_) return;
    const uid_t uid = to_look_up_.front();
    to_look_up_.pop_front();
    lock.unlock();
    std::string name;
    try {
      name = lookup_(uid);
    } catch (...) {
      name = uid_text(uid);
    }
    boost::asio::post(io_, [this, uid, name] {
      // A name that came after `patience` still fills the cache for the next connection.
      if (waiting_.count(uid) == 0 && name != uid_text(uid)) {
        if (cache_.size() >= max_cached_users) cache_.clear();
        cache_[uid] = name;
      }
      answer(uid, name);
    });
    lock.lock();
  }
}

}  // namespace treadd
