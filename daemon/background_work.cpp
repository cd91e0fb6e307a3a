// SPDX-License-Identifier: Apache-2.0
#include "daemon/background_work.hpp"

#include "daemon/protocol/protocol.hpp"

#include <boost/asio/post.hpp>

namespace treadd {

BackgroundWork::BackgroundWork(boost::asio::io_context& io, Controller& controller, std::size_t max_queued)
    : io_(io), controller_(controller), max_queued_(max_queued), worker_([this] { run(); }) {}

BackgroundWork::~BackgroundWork() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void BackgroundWork::reload(const std::string& who, Answer answer) {
  {
    std::lock_guard lock(mutex_);
    reload_waiting_.push_back(Waiter{who, std::move(answer)});
  }
  wake_.notify_one();
}

bool BackgroundWork::query(std::function<nlohmann::json()> query, Answer answer) {
  {
    std::lock_guard lock(mutex_);
    if (queries_.size() >= max_queued_) return false;
    queries_.push_back(Query{std::move(query), std::move(answer)});
  }
  wake_.notify_one();
  return true;
}

void BackgroundWork::parse_and_apply(std::vector<Waiter> batch) {
  // The file is read after every request of this batch arrived: each sees its own edit.
  std::shared_ptr<Controller::ParsedLimits> loaded;
  try {
    loaded = std::make_shared<Controller::ParsedLimits>(controller_.parse_limits_file());
  } catch (const std::exception& e) {
    loaded = std::make_shared<Controller::ParsedLimits>();
    // Either file may have thrown (limits.yaml or a prescription): the message names both. Filed
    // under limits.yaml, so that the journal's copy (for_the_journal) keeps the place only: what()
    // may name a prescription's file, which is a patient's code.
    loaded->loaded.errors.push_back(
        Diagnostic{"limits.yaml", 0, 0, std::string("limits.yaml or a prescription in patients/ could not be read: ") + e.what()});
  }
  boost::asio::post(io_, [this, loaded, batch = std::move(batch)]() {
    std::string who;
    for (const Waiter& w : batch) {
      if (who.find(w.who) == std::string::npos) who += (who.empty() ? "" : ", ") + w.who;
    }
    nlohmann::json reply;
    try {
      reply = controller_.apply_reload(std::move(*loaded), who);
    } catch (const std::exception& e) {  // never across the loop: the limits in force stay
      reply = protocol::error_reply(std::string("refused: the reload failed inside treadd (") + e.what() +
                                    "); the limits in force are unchanged");
    }
    const std::string line = protocol::line(reply);
    for (const Waiter& w : batch) {
      if (w.answer) w.answer(reply, line);
    }
  });
}

void BackgroundWork::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !reload_waiting_.empty() || !queries_.empty(); });
    if (stopping_) return;
    if (!reload_waiting_.empty()) {
      std::vector<Waiter> batch = std::move(reload_waiting_);
      reload_waiting_.clear();
      lock.unlock();
      parse_and_apply(std::move(batch));
    } else {
      Query q = std::move(queries_.front());
      queries_.pop_front();
      lock.unlock();
      // A query that throws (a damaged file, a bug) answers with an error: it never takes the
      // daemon — and the belt's control loop — down with it.
      std::shared_ptr<nlohmann::json> reply;
      auto line = std::make_shared<std::string>();
      try {
        nlohmann::json full = q.run();
        *line = protocol::line(full);
        // The loop gets the line and the few fields it reads (a refusal's rule, an erasure's
        // count); the reply itself — 100,000 sessions' worth of nodes — is freed here, off the loop.
        reply = std::make_shared<nlohmann::json>(nlohmann::json::object());
        for (const char* key : reply_fields_for_the_loop) {
          if (auto it = full.find(key); it != full.end()) (*reply)[key] = *it;
        }
      } catch (const std::exception& e) {
        reply = std::make_shared<nlohmann::json>(protocol::error_reply(std::string("could not read the records: ") + e.what()));
        *line = protocol::line(*reply);
      }
      boost::asio::post(io_, [reply, line, answer = std::move(q.answer)]() {
        if (answer) answer(*reply, *line);
      });
    }
    lock.lock();
  }
}

}  // namespace treadd
