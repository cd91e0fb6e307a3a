#include "daemon/reload_worker.hpp"

#include <boost/asio/post.hpp>

namespace treadd {

ReloadWorker::ReloadWorker(boost::asio::io_context& io, Controller& controller)
    : io_(io), controller_(controller), worker_([this] { run(); }) {}

ReloadWorker::~ReloadWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void ReloadWorker::request(const std::string& who, Answer answer) {
  {
    std::lock_guard lock(mutex_);
    waiting_.push_back(Waiter{who, std::move(answer)});
  }
  wake_.notify_one();
}

void ReloadWorker::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (stopping_) return;
    std::vector<Waiter> batch = std::move(waiting_);
    waiting_.clear();
    lock.unlock();
    // The file is read after every request of this batch arrived: each sees its own edit.
    auto loaded = std::make_shared<Loaded<LimitsConfig>>(controller_.parse_limits_file());
    boost::asio::post(io_, [this, loaded, batch = std::move(batch)]() {
      std::string who;
      for (const Waiter& w : batch) {
        if (who.find(w.who) == std::string::npos) who += (who.empty() ? "" : ", ") + w.who;
      }
      const nlohmann::json reply = controller_.apply_reload(std::move(*loaded), who);
      for (const Waiter& w : batch) {
        if (w.answer) w.answer(reply);
      }
    });
    lock.lock();
  }
}

}  // namespace treadd
