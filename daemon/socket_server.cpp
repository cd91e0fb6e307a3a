// SPDX-License-Identifier: Apache-2.0
#include "daemon/socket_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <deque>
#include <map>
#include <stdexcept>

#include "daemon/records/log.hpp"
#include "daemon/protocol/protocol.hpp"
#include "daemon/roles.hpp"

namespace treadd {

namespace asio = boost::asio;
using asio::local::stream_protocol;

// A slow or stuck reader is dropped instead of letting its backlog grow without bound.
constexpr std::size_t max_pending_writes = 64;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(stream_protocol::socket socket, SocketServer& server, Peer peer, TimePoint now, bool estop_only)
      : socket_(std::move(socket)), server_(server), input_(protocol::max_line_bytes + 1), peer_(std::move(peer)),
        last_active_(now), estop_only_(estop_only) {}

  void start() { read(); }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  void maybe_publish(TimePoint now, const std::string& line) {
    if (!watch_period_ || now < next_watch_) return;
    next_watch_ = now + *watch_period_;
    send(line);
  }

  bool open() const { return socket_.is_open(); }
  bool watching() const { return watch_period_.has_value(); }
  bool busy() const { return awaiting_answer_; }
  TimePoint last_active() const { return last_active_; }
  std::uint32_t uid() const { return peer_.uid; }
  Role role() const { return peer_.role; }
  void set_who(const std::string& name) { peer_.who = name; }

 private:
  void read() {
    asio::async_read_until(socket_, input_, '\n',
                           [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                             self->on_read(ec, n);
                           });
  }

  void on_read(const boost::system::error_code& ec, std::size_t n) {
    if (ec == asio::error::not_found) {
      send(protocol::line(protocol::error_reply("request longer than 4096 bytes; closing")), /*then_close=*/true);
      return;
    }
    if (ec) return;  // peer closed or socket closed
    std::string line(asio::buffers_begin(input_.data()), asio::buffers_begin(input_.data()) + static_cast<long>(n));
    input_.consume(n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) {
      const TimePoint now = std::chrono::steady_clock::now();
      last_active_ = now;
      // The loop's boundary: whatever a request makes throw (a bug, an allocation) is this
      // request's error, never the daemon's end.
      try {
        if (!handle(line, now)) return;
      } catch (const std::exception& e) {
        ++server_.counters_.internal_errors;
        log::error(std::string("a request failed inside treadd: ") + e.what());
        send(protocol::line(protocol::error_reply(std::string("treadd could not handle this request: ") + e.what())),
             /*then_close=*/true);
        return;
      }
    }
    read();
  }

  // Returns false when the connection reads no further request now (closing, or awaiting an answer).
  bool handle(const std::string& line, TimePoint now) {
    {
      if (estop_only_) {
        answer_estop_only(line, now);
        return false;
      }
      auto outcome = server_.controller_.execute(line, peer_, now);
      if (outcome.watch_hz) {
        watch_period_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::duration<double>(1.0 / *outcome.watch_hz));
        next_watch_ = {};
      }
      if (outcome.bad_request) {
        // One clear error, then the connection is dropped: a client that sends garbage gets no more.
        send(protocol::line(outcome.reply), /*then_close=*/true);
        return false;
      }
      if (outcome.reload || outcome.query) {
        if (defer(outcome)) return false;  // answered later; this client's next request waits for it
      }
      send(outcome.shared_line != nullptr ? *outcome.shared_line : protocol::line(outcome.reply));
    }
    return true;
  }

  // The e-stop socket: one e-stop request, its answer, then the connection closes. Anything else
  // gets one error naming the control socket.
  void answer_estop_only(const std::string& line, TimePoint now) {
    auto parsed = protocol::parse_request(line);
    if (!parsed.request || !std::holds_alternative<EStopCmd>(*parsed.request)) {
      send(protocol::line(protocol::error_reply("this socket takes only an e-stop ({\"cmd\":\"estop\"}); use the "
                                                "control socket for anything else")),
           /*then_close=*/true);
      return;
    }
    // The record, journal and audit say which way the e-stop came: the button's own socket.
    Peer pressed = peer_;
    pressed.who += " (e-stop socket)";
    auto outcome = server_.controller_.execute(line, pressed, now);
    send(protocol::line(outcome.reply), /*then_close=*/true);
  }

  // Reloads and record queries run off the loop; the answer comes back to this connection.
  // Returns false when the reply is already in outcome.reply (no worker, or the queue is full).
  bool defer(Controller::Outcome& outcome) {
    BackgroundWork* work = server_.background_;
    if (work == nullptr) {
      try {
        outcome.reply = outcome.reload ? server_.controller_.reload(peer_.who) : outcome.query();
      } catch (const std::exception& e) {
        outcome.reply = protocol::error_reply(std::string("could not read the records: ") + e.what());
      }
      if (outcome.on_answer) outcome.on_answer(outcome.reply);
      return false;
    }
    auto answer = [self = shared_from_this(), on_answer = std::move(outcome.on_answer)](const nlohmann::json& reply,
                                                                                        const std::string& line) {
      std::string sent = line;
      try {
        if (on_answer) on_answer(reply);
      } catch (const std::exception& e) {
        sent = protocol::line(protocol::error_reply(std::string("treadd could not finish this request: ") + e.what()));
      }
      self->awaiting_answer_ = false;
      self->send(std::move(sent));
      self->read();
    };
    awaiting_answer_ = true;
    if (outcome.reload) {
      work->reload(peer_.who, std::move(answer));
      return true;
    }
    if (work->query(std::move(outcome.query), std::move(answer))) return true;
    awaiting_answer_ = false;
    outcome.reply = protocol::error_reply("refused: treadd is busy reading session records for others; try again shortly");
    return false;
  }

  void send(std::string data, bool then_close = false) {
    if (!socket_.is_open()) return;
    if (pending_.size() >= max_pending_writes) {
      log::warning("dropping a client that does not read its replies (" + peer_.who + ")");
      close();
      return;
    }
    pending_.push_back(std::move(data));
    close_after_write_ = close_after_write_ || then_close;
    if (pending_.size() == 1) write();
  }

  void write() {
    asio::async_write(socket_, asio::buffer(pending_.front()),
                      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                        if (ec) return;
                        self->pending_.pop_front();
                        if (!self->pending_.empty()) {
                          self->write();
                        } else if (self->close_after_write_) {
                          self->close();
                        }
                      });
  }

  stream_protocol::socket socket_;
  SocketServer& server_;
  asio::streambuf input_;
  Peer peer_;
  std::deque<std::string> pending_;
  bool close_after_write_ = false;
  bool awaiting_answer_ = false;
  TimePoint last_active_;
  bool estop_only_;
  std::optional<std::chrono::nanoseconds> watch_period_;
  TimePoint next_watch_{};
};

SocketServer::SocketServer(asio::io_context& io, std::string path, Controller& controller, RoleGroups groups,
                           ConnectionLimits limits)
    : controller_(controller),
      control_(io, path, limits, false),
      estop_(io, estop_path(path), estop_socket_limits, true),
      own_uid_(getuid()),
      // NSS here, once, before the loop runs; never again per connection.
      group_ids_(resolve_role_groups(groups)),
      names_(io, user_name) {}

SocketServer::~SocketServer() {
  close();
  if (spare_fd_ >= 0) ::close(spare_fd_);
}

namespace {

// True when something accepts connections on `path`: a live daemon, whose socket must stay.
bool someone_listens(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  const bool live = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return live;
}

}  // namespace

void SocketServer::start() {
  // A socket file left by a daemon that died is stale and is replaced; a live one never is.
  for (const Listener* l : {&control_, &estop_}) {
    if (someone_listens(l->path)) {
      throw std::runtime_error("another treadd is already listening on " + l->path + "; refusing to start");
    }
  }
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  open(control_);
  open(estop_);
}

void SocketServer::open(Listener& l) {
  ::unlink(l.path.c_str());
  l.acceptor.open(stream_protocol());
  l.acceptor.bind(stream_protocol::endpoint(l.path));
  // Every local user may connect, so that anyone can press e-stop; roles come from SO_PEERCRED.
  ::chmod(l.path.c_str(), 0666);
  l.acceptor.listen();
  accept(l);
}

void SocketServer::close() {
  for (Listener* l : {&control_, &estop_}) {
    l->backoff.cancel();
    if (!l->acceptor.is_open()) continue;
    boost::system::error_code ignored;
    l->acceptor.close(ignored);
    for (auto& weak : l->connections) {
      if (auto c = weak.lock()) c->close();
    }
    ::unlink(l->path.c_str());
  }
}

void SocketServer::accept(Listener& l) {
  l.acceptor.async_accept([this, &l](const boost::system::error_code& ec, stream_protocol::socket socket) {
    if (ec == asio::error::operation_aborted || !l.acceptor.is_open()) return;
    if (ec) {
      ++counters_.accept_errors;
      if (ec == asio::error::no_descriptors && spare_fd_ >= 0) {
        // Out of descriptors: free the spare, take the waiting client off the queue and close it,
        // so the queue keeps moving; then wait a moment instead of spinning on the error.
        ::close(spare_fd_);
        const int fd = ::accept4(l.acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) ::close(fd);
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      }
      log::warning(l.path + ": cannot accept a connection (" + ec.message() + "); retrying in 50 ms");
      accept_later(l);
      return;
    }
    const TimePoint now = std::chrono::steady_clock::now();
    Peer peer = identify_peer(socket.native_handle(), own_uid_, group_ids_);
    make_room_for(l, peer.uid);
    // The e-stop never waits for a name: the cached one or "uid N".
    if (auto known = names_.cached(peer.uid)) peer.who = *known;
    const bool named = l.estop_only || names_.cached(peer.uid).has_value();
    const uid_t uid = peer.uid;
    auto c = std::make_shared<Connection>(std::move(socket), *this, std::move(peer), now, l.estop_only);
    l.connections.push_back(c);
    ++counters_.accepted;
    if (named) {
      c->start();
    } else {
      // Looked up off the loop; the connection reads its first request once its user is named.
      // The callback holds the connection until then (the listener keeps only weak references).
      names_.name(uid, [c](const std::string& name) {
        if (c->open()) {
          c->set_who(name);
          c->start();
        }
      });
    }
    accept(l);
  });
}

void SocketServer::accept_later(Listener& l) {
  l.backoff.expires_after(std::chrono::milliseconds(50));
  l.backoff.async_wait([this, &l](const boost::system::error_code& ec) {
    if (!ec) accept(l);
  });
}

void SocketServer::make_room_for(Listener& l, uid_t uid) {
  std::map<std::uint32_t, std::size_t> per_user;
  std::size_t total = 0;
  for (auto it = l.connections.begin(); it != l.connections.end();) {
    auto c = it->lock();
    if (!c || !c->open()) {
      it = l.connections.erase(it);
      continue;
    }
    ++per_user[c->uid()];
    ++total;
    ++it;
  }
  // Whose connection goes: this user's own when over its share; else, when all are full, the
  // user holding the most. Within that user, the least recently active one.
  std::optional<std::uint32_t> victim_uid;
  if (per_user[uid] >= l.limits.per_user) {
    victim_uid = uid;
  } else if (total >= l.limits.total) {
    victim_uid = std::max_element(per_user.begin(), per_user.end(),
                                  [](const auto& a, const auto& b) { return a.second < b.second; })
                     ->first;
  }
  if (!victim_uid) return;
  // Idle ones first; one waiting for a reload or query answer only when there is nothing else.
  std::shared_ptr<Connection> oldest;
  for (auto& weak : l.connections) {
    auto c = weak.lock();
    if (!c || c->uid() != *victim_uid) continue;
    const bool better = !oldest || (oldest->busy() && !c->busy()) ||
                        (oldest->busy() == c->busy() && c->last_active() < oldest->last_active());
    if (better) oldest = c;
  }
  if (oldest) {
    oldest->close();
    ++counters_.evicted;
  }
}

void SocketServer::close_idle(Listener& l, TimePoint now) {
  for (auto& weak : l.connections) {
    auto c = weak.lock();
    if (c && c->open() && !c->watching() && !c->busy() && now - c->last_active() > l.limits.idle_timeout) {
      c->close();
      ++counters_.idle_closed;
    }
  }
}

void SocketServer::publish(TimePoint now) {
  if (now >= next_idle_sweep_) {
    next_idle_sweep_ = now + std::chrono::seconds(1);
    close_idle(control_, now);
    close_idle(estop_, now);
  }
  for (auto it = control_.connections.begin(); it != control_.connections.end();) {
    auto c = it->lock();
    if (!c) {
      it = control_.connections.erase(it);
      continue;
    }
    if (c->watching()) c->maybe_publish(now, controller_.status_line(c->role()));
    ++it;
  }
}

std::size_t SocketServer::connections() const { return control_.connections.size() + estop_.connections.size(); }

}  // namespace treadd
