#include "daemon/socket_server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <deque>

#include "daemon/log.hpp"
#include "daemon/protocol.hpp"
#include "daemon/roles.hpp"

namespace treadd {

namespace asio = boost::asio;
using asio::local::stream_protocol;

// A slow or stuck reader is dropped instead of letting its backlog grow without bound.
constexpr std::size_t max_pending_writes = 64;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(stream_protocol::socket socket, SocketServer& server)
      : socket_(std::move(socket)), server_(server), input_(protocol::max_line_bytes + 1) {}

  void start() {
    peer_ = identify_peer(socket_.native_handle(), server_.own_uid_, server_.groups_);
    read();
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  void maybe_publish(TimePoint now, const std::string& line) {
    if (!watch_period_ || now < next_watch_) return;
    next_watch_ = now + *watch_period_;
    send(line);
  }

  bool watching() const { return watch_period_.has_value(); }

 private:
  void read() {
    asio::async_read_until(socket_, input_, '\n',
                           [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                             self->on_read(ec, n);
                           });
  }

  void on_read(const boost::system::error_code& ec, std::size_t n) {
    if (ec == asio::error::not_found) {
      send(protocol::error_reply("request longer than 4096 bytes; closing").dump() + "\n", /*then_close=*/true);
      return;
    }
    if (ec) return;  // peer closed or socket closed
    std::string line(asio::buffers_begin(input_.data()), asio::buffers_begin(input_.data()) + static_cast<long>(n));
    input_.consume(n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) {
      auto outcome = server_.controller_.execute(line, peer_, std::chrono::steady_clock::now());
      if (outcome.watch_hz) {
        watch_period_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::duration<double>(1.0 / *outcome.watch_hz));
        next_watch_ = {};
      }
      if (outcome.bad_request) {
        // One clear error, then the connection is dropped: a client that sends garbage gets no more.
        send(outcome.reply.dump() + "\n", /*then_close=*/true);
        return;
      }
      send(outcome.status ? server_.controller_.status_line() : outcome.reply.dump() + "\n");
    }
    read();
  }

  void send(std::string data, bool then_close = false) {
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
  std::optional<std::chrono::nanoseconds> watch_period_;
  TimePoint next_watch_{};
};

SocketServer::SocketServer(asio::io_context& io, std::string path, Controller& controller, RoleGroups groups)
    : path_(std::move(path)), controller_(controller), acceptor_(io), own_uid_(getuid()), groups_(std::move(groups)) {}

SocketServer::~SocketServer() { close(); }

void SocketServer::start() {
  // A socket file left by a daemon that died is stale; nothing else may be listening there.
  ::unlink(path_.c_str());
  acceptor_.open(stream_protocol());
  acceptor_.bind(stream_protocol::endpoint(path_));
  // Group members (operators) may connect; others are kept out by the file mode.
  ::chmod(path_.c_str(), 0660);
  acceptor_.listen();
  accept();
}

void SocketServer::close() {
  if (!acceptor_.is_open()) return;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : connections_) {
    if (auto c = weak.lock()) c->close();
  }
  ::unlink(path_.c_str());
}

void SocketServer::accept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, stream_protocol::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      auto c = std::make_shared<Connection>(std::move(socket), *this);
      connections_.push_back(c);
      c->start();
    }
    accept();
  });
}

void SocketServer::publish(TimePoint now) {
  for (auto it = connections_.begin(); it != connections_.end();) {
    auto c = it->lock();
    if (!c) {
      it = connections_.erase(it);
      continue;
    }
    if (c->watching()) c->maybe_publish(now, controller_.status_line());
    ++it;
  }
}

std::size_t SocketServer::connections() const { return connections_.size(); }

}  // namespace treadd
