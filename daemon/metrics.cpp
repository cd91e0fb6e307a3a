#include "daemon/metrics.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>

namespace treadd {

namespace {

void gauge(std::string& out, const char* name, const char* help, double value, const char* type = "gauge") {
  char buf[512];
  std::snprintf(buf, sizeof buf, "# HELP %s %s\n# TYPE %s %s\n%s %.6g\n", name, help, name, type, name, value);
  out += buf;
}

void header(std::string& out, const char* name, const char* help, const char* type) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void sample(std::string& out, const char* name, const std::string& labels, double value) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s{%s} %.6g\n", name, labels.c_str(), value);
  out += buf;
}

}  // namespace

std::string render_metrics(const MetricsSnapshot& m) {
  std::string out;
  header(out, "treadd_state", "1 for the supervisor's current state.", "gauge");
  for (State s : {State::idle, State::locked, State::running, State::changing_direction, State::paused,
                  State::cooling_down, State::stopping, State::faulted, State::estopped}) {
    sample(out, "treadd_state", std::string("state=\"") + to_string(s) + "\"", m.status.state == s ? 1 : 0);
  }
  header(out, "treadd_speed_kmh", "Belt speed in km/h.", "gauge");
  sample(out, "treadd_speed_kmh", "kind=\"target\"", m.status.target_kmh);
  sample(out, "treadd_speed_kmh", "kind=\"commanded\"", m.status.commanded_kmh);
  sample(out, "treadd_speed_kmh", "kind=\"measured\"", m.status.measured_kmh);
  gauge(out, "treadd_reverse", "1 when the belt runs in reverse.", m.status.direction == Direction::reverse ? 1 : 0);
  gauge(out, "treadd_session_seconds", "Active time of the running session.", m.status.session_s);
  gauge(out, "treadd_drive_link_up", "1 while the drive answers.", m.link_up ? 1 : 0);
  header(out, "treadd_faults_total", "Latched faults by cause.", "counter");
  for (const Rule& r : rules) {
    if (r.reaction != Reaction::fast_stop_latch || r.id == RuleId::emergency_stop) continue;
    sample(out, "treadd_faults_total", std::string("cause=\"") + r.code + "\"",
           static_cast<double>(m.safety.fired[static_cast<std::size_t>(r.id)]));
  }
  header(out, "treadd_rule_fired_total", "Times each safety rule fired (docs/safety.md), by rule and reaction.",
         "counter");
  for (const Rule& r : rules) {
    sample(out, "treadd_rule_fired_total", std::string("rule=\"") + r.code + "\",reaction=\"" + to_string(r.reaction) + "\"",
           static_cast<double>(m.safety.fired[static_cast<std::size_t>(r.id)]));
  }
  gauge(out, "treadd_estops_total", "Emergency stops.", static_cast<double>(m.safety.estops), "counter");
  gauge(out, "treadd_refusals_total", "Commands refused by a limit or rule.", static_cast<double>(m.safety.refusals),
        "counter");
  gauge(out, "treadd_sessions_total", "Sessions started.", static_cast<double>(m.safety.sessions), "counter");
  header(out, "treadd_link_errors_total", "Drive link errors by kind.", "counter");
  sample(out, "treadd_link_errors_total", "kind=\"timeout\"", static_cast<double>(m.link.timeouts));
  sample(out, "treadd_link_errors_total", "kind=\"exception\"", static_cast<double>(m.link.exceptions));
  sample(out, "treadd_link_errors_total", "kind=\"broken\"", static_cast<double>(m.link.broken));
  sample(out, "treadd_link_errors_total", "kind=\"other\"", static_cast<double>(m.link.other_errors));
  gauge(out, "treadd_link_transactions_total", "Modbus transactions.", static_cast<double>(m.link.transactions),
        "counter");
  gauge(out, "treadd_loop_ticks_total", "Control loop ticks.", static_cast<double>(m.ticks), "counter");
  gauge(out, "treadd_loop_overruns_total", "Ticks later than one period.", static_cast<double>(m.overruns), "counter");
  gauge(out, "treadd_loop_worst_lateness_seconds", "Worst tick lateness since start.", m.worst_lateness_s);
  header(out, "treadd_loop_lateness_seconds", "How late control ticks fire after their deadline.", "histogram");
  {
    std::uint64_t cumulative = 0;
    const auto& bounds = LatencyHistogram::bounds_s();
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += m.lateness.buckets()[i];
      char le[64];
      std::snprintf(le, sizeof le, "le=\"%.6g\"", bounds[i]);
      sample(out, "treadd_loop_lateness_seconds_bucket", le, static_cast<double>(cumulative));
    }
    sample(out, "treadd_loop_lateness_seconds_bucket", "le=\"+Inf\"", static_cast<double>(m.lateness.count()));
    char line[128];
    std::snprintf(line, sizeof line, "treadd_loop_lateness_seconds_sum %.9g\ntreadd_loop_lateness_seconds_count %llu\n",
                  m.lateness.sum_s(), static_cast<unsigned long long>(m.lateness.count()));
    out += line;
  }
  gauge(out, "treadd_storage_errors_total", "Failed writes of session records, audit log or metrics.",
        static_cast<double>(m.storage_errors), "counter");
  gauge(out, "treadd_control_connections_evicted_total", "Control clients closed to keep room for new ones.",
        static_cast<double>(m.connections_evicted), "counter");
  gauge(out, "treadd_control_connections_idle_closed_total", "Control clients closed after the idle timeout.",
        static_cast<double>(m.connections_idle_closed), "counter");
  gauge(out, "treadd_loop_period_seconds", "Configured tick period.", m.tick_period_s);
  gauge(out, "treadd_uptime_seconds", "Seconds since the daemon started.", m.uptime_s);
  gauge(out, "treadd_metrics_updated_timestamp_seconds", "When this file was written (alert when stale).",
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  return out;
}

bool write_metrics_file(const std::filesystem::path& file, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  const auto tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << text;
    out.close();  // a full disk shows up here, when the buffer is written
    if (out.fail()) return false;
  }
  std::filesystem::rename(tmp, file, ec);
  return !ec;
}

}  // namespace treadd
