// SPDX-License-Identifier: Apache-2.0
#include "daemon/realtime.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

namespace treadd {

std::string raise_to_realtime(std::thread::native_handle_type thread, int priority) {
  sched_param param{};
  param.sched_priority = priority;
  const int error = pthread_setschedparam(thread, SCHED_FIFO, &param);
  if (error == 0) return {};
  return std::string("SCHED_FIFO ") + std::to_string(priority) + " not allowed (" + std::strerror(error) +
         "; the unit's LimitRTPRIO grants it)";
}

std::string lock_current_memory() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // A sanitizer maps terabytes of shadow memory: locking "what is mapped" would try to pin it all.
  return "memory not locked (a sanitizer build)";
#else
  if (mlockall(MCL_CURRENT) == 0) return {};
#endif
  return std::string("memory not locked (") + std::strerror(errno) + "; the unit's LimitMEMLOCK grants it)";
}

}  // namespace treadd
