// Reloading limits.yaml off the control loop. Parsing a file may take a while (a big file, a slow
// disk); the loop must keep ticking and e-stops must keep going out meanwhile. One worker thread
// parses; the result is applied on the loop (io_context) in one step. Requests that arrive while a
// parse runs share the next parse, so a reload storm costs at most two parses in flight.
#pragma once

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "daemon/controller.hpp"

namespace treadd {

class ReloadWorker {
 public:
  using Answer = std::function<void(const nlohmann::json& reply)>;

  ReloadWorker(boost::asio::io_context& io, Controller& controller);
  ~ReloadWorker();  // waits for a parse in progress; its result is dropped
  ReloadWorker(const ReloadWorker&) = delete;
  ReloadWorker& operator=(const ReloadWorker&) = delete;

  // Called on the loop. `answer` (may be empty) runs on the loop once the reload was applied or refused.
  void request(const std::string& who, Answer answer);

 private:
  struct Waiter {
    std::string who;
    Answer answer;
  };
  void run();

  boost::asio::io_context& io_;
  Controller& controller_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Waiter> waiting_;  // for the next parse
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace treadd
