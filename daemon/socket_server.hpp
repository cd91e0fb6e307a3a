// The control socket: a Unix stream socket speaking one JSON object per line (docs/protocol.md).
// It never touches the drive; every request goes through the Controller and so the supervisor.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <list>
#include <memory>
#include <string>

#include "daemon/controller.hpp"
#include "daemon/roles.hpp"

namespace treadd {

class Connection;

class SocketServer {
 public:
  SocketServer(boost::asio::io_context& io, std::string path, Controller& controller, RoleGroups groups);
  ~SocketServer();

  void start();  // throws std::system_error when the socket cannot be created
  void close();
  // Sends the current status to the watchers whose next update is due. One serialization per call.
  void publish(TimePoint now);
  std::size_t connections() const;

 private:
  void accept();
  friend class Connection;

  std::string path_;
  Controller& controller_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::list<std::weak_ptr<Connection>> connections_;
  uid_t own_uid_;
  RoleGroups groups_;
};

}  // namespace treadd
