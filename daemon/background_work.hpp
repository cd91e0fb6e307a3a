// SPDX-License-Identifier: Apache-2.0
// Work that may take long — parsing limits.yaml, reading session records — runs here, on one
// worker thread, never on the control loop: the loop keeps ticking and e-stops keep going out
// whatever a client asks for or however big a file is. Each result is handed back to the loop
// (io_context) and applied there in one step.
//
// Reloads are coalesced: requests that arrive while a parse runs share the next parse, so a reload
// storm costs at most one parse in flight and one waiting. Record queries are queued, at most
// `max_queued` at a time; past that a query is refused at once ("busy").
#pragma once

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "daemon/controller.hpp"

namespace treadd {

// The fields of a query's reply that its on_answer reads on the loop (a refusal's rule, an
// erasure's count and what became of the prescription); the rest is freed off the loop.
inline constexpr const char* reply_fields_for_the_loop[] = {"ok", "rule", "error", "erased", "prescription_erased",
                                                            "prescription_left"};

class BackgroundWork {
 public:
  // The reply, and the same reply as its protocol line: a query's line is serialized on the worker,
  // so a reply of 100,000 sessions is never copied or dumped on the loop.
  using Answer = std::function<void(const nlohmann::json& reply, const std::string& line)>;

  BackgroundWork(boost::asio::io_context& io, Controller& controller, std::size_t max_queued = 8);
  ~BackgroundWork();  // waits for the job in progress; results not yet applied are dropped
  BackgroundWork(const BackgroundWork&) = delete;
  BackgroundWork& operator=(const BackgroundWork&) = delete;

  // Called on the loop. `answer` (may be empty) runs on the loop once the reload was applied or refused.
  void reload(const std::string& who, Answer answer);
  // Called on the loop. `query` runs on the worker and must touch no loop state; false when full.
  bool query(std::function<nlohmann::json()> query, Answer answer);

 private:
  struct Waiter {
    std::string who;
    Answer answer;
  };
  struct Query {
    std::function<nlohmann::json()> run;
    Answer answer;
  };
  void run();
  void parse_and_apply(std::vector<Waiter> batch);

  boost::asio::io_context& io_;
  Controller& controller_;
  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Waiter> reload_waiting_;  // for the next parse
  std::deque<Query> queries_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace treadd
