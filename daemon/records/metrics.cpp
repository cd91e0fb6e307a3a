// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <fstream>
#include <limits>
#include <sstream>

#include "core/units.hpp"

namespace treadd {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

// One family and its samples; the serializer writes HELP, TYPE and every value at full precision.
class Family {
 public:
  Family(std::vector<MetricFamily>& out, std::string name, std::string help, MetricType type) : out_(out) {
    out_.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
    index_ = out_.size() - 1;
  }
  Family& add(Labels labels, double value) {
    ClientMetric m;
    m.label = std::move(labels);
    if (out_[index_].type == MetricType::Counter) m.counter.value = value;
    else m.gauge.value = value;
    out_[index_].metric.push_back(std::move(m));
    return *this;
  }
  Family& add(double value) { return add({}, value); }
  Family& add(ClientMetric m) {
    out_[index_].metric.push_back(std::move(m));
    return *this;
  }

 private:
  std::vector<MetricFamily>& out_;
  std::size_t index_;
};

double count(std::uint64_t n) { return static_cast<double>(n); }

}  // namespace

std::string render_metrics(const MetricsSnapshot& m, double now_unix_s) {
  std::vector<MetricFamily> f;
  Family(f, "treadd_build_info", "The running treadd's version; always 1.", MetricType::Gauge)
      .add({{"version", TREADD_VERSION}}, 1);
  Family state(f, "treadd_state", "1 for the supervisor's current state, 0 for the others.", MetricType::Gauge);
  for (State s : {State::idle, State::locked, State::running, State::changing_direction, State::paused,
                  State::cooling_down, State::stopping, State::faulted, State::estopped}) {
    state.add({{"state", to_string(s)}}, m.status.state == s ? 1 : 0);
  }
  // Base units (metres per second), as Prometheus asks; treadctl and the records speak km/h.
  Family(f, "treadd_belt_speed_meters_per_second", "Belt speed: what was asked, what the drive is told, what it reports.",
         MetricType::Gauge)
      .add({{"kind", "target"}}, units::mps_from_kmh(m.status.target_kmh))
      .add({{"kind", "commanded"}}, units::mps_from_kmh(m.status.commanded_kmh))
      .add({{"kind", "measured"}}, units::mps_from_kmh(m.status.measured_kmh));
  Family(f, "treadd_reverse", "1 when the belt runs (or is set to run) in reverse.", MetricType::Gauge)
      .add(m.status.direction == Direction::reverse ? 1 : 0);
  Family(f, "treadd_session_seconds", "Active time of the running session.", MetricType::Gauge).add(m.status.session_s);
  Family(f, "treadd_drive_link_up", "1 while the drive answers.", MetricType::Gauge).add(m.link_up ? 1 : 0);
  // A fleet alerts on a drive that was swapped or re-parameterised since its commissioning (stale),
  // never commissioned, or whose turning direction nobody can check but the eye.
  Family commissioning(f, "treadd_commissioning",
                       "1 for the drive's commissioning state now (sessions start only when passed, waived or not_needed).",
                       MetricType::Gauge);
  for (CommissioningState s : all_commissioning_states) {
    commissioning.add({{"state", std::string(to_string(s))}}, m.commissioning == s ? 1 : 0);
  }
  Family(f, "treadd_drive_direction_verified",
         "1 when the drive reports which way the belt turns, so a wrong direction latches a fault; 0: only the eye checks.",
         MetricType::Gauge)
      .add(m.direction_verified ? 1 : 0);
  Family faults(f, "treadd_faults_total", "Latched faults by cause (docs/safety.md).", MetricType::Counter);
  Family fired(f, "treadd_rule_fired_total", "Times each safety rule fired (docs/safety.md), by rule and reaction.",
               MetricType::Counter);
  for (const Rule& r : rules) {
    const double n = count(m.safety.fired[static_cast<std::size_t>(r.id)]);
    if (r.reaction == Reaction::fast_stop_latch && r.id != RuleId::emergency_stop) faults.add({{"cause", r.code}}, n);
    fired.add({{"rule", r.code}, {"reaction", to_string(r.reaction)}}, n);
  }
  Family(f, "treadd_estops_total", "Emergency stops.", MetricType::Counter).add(count(m.safety.estops));
  Family(f, "treadd_refusals_total", "Commands refused by a limit or rule.", MetricType::Counter)
      .add(count(m.safety.refusals));
  Family(f, "treadd_sessions_total", "Sessions started.", MetricType::Counter).add(count(m.safety.sessions));
  Family(f, "treadd_link_errors_total", "Drive link errors by kind.", MetricType::Counter)
      .add({{"kind", "timeout"}}, count(m.link.timeouts))
      .add({{"kind", "exception"}}, count(m.link.exceptions))
      .add({{"kind", "broken"}}, count(m.link.broken))
      .add({{"kind", "other"}}, count(m.link.other_errors));
  Family(f, "treadd_link_transactions_total", "Modbus transactions.", MetricType::Counter).add(count(m.link.transactions));
  Family(f, "treadd_loop_ticks_total", "Control loop ticks.", MetricType::Counter).add(count(m.ticks));
  Family(f, "treadd_loop_overruns_total", "Ticks later than one period.", MetricType::Counter).add(count(m.overruns));
  Family(f, "treadd_loop_worst_lateness_seconds", "Worst tick lateness since start.", MetricType::Gauge)
      .add(m.worst_lateness_s);
  {
    ClientMetric h;
    std::uint64_t cumulative = 0;
    const auto& bounds = LatencyHistogram::bounds_s();
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += m.lateness.buckets()[i];
      h.histogram.bucket.push_back({cumulative, bounds[i]});
    }
    h.histogram.bucket.push_back({m.lateness.count(), std::numeric_limits<double>::infinity()});
    h.histogram.sample_count = m.lateness.count();
    h.histogram.sample_sum = m.lateness.sum_s();
    Family(f, "treadd_loop_lateness_seconds", "How late control ticks fire after their deadline.", MetricType::Histogram)
        .add(std::move(h));
  }
  Family(f, "treadd_storage_errors_total", "Failed writes of session records, audit log or metrics.",
         MetricType::Counter)
      .add(count(m.storage_errors));
  Family(f, "treadd_storage_dropped_total",
         "Journal entries, audit and record lines dropped because the writer fell behind (the loop never waits).",
         MetricType::Counter)
      .add(count(m.storage_dropped));
  Family(f, "treadd_control_connections_evicted_total", "Control clients closed to keep room for new ones.",
         MetricType::Counter)
      .add(count(m.connections_evicted));
  Family(f, "treadd_control_connections_idle_closed_total", "Control clients closed after the idle timeout.",
         MetricType::Counter)
      .add(count(m.connections_idle_closed));
  Family(f, "treadd_loop_period_seconds", "Configured tick period.", MetricType::Gauge).add(m.tick_period_s);
  Family(f, "treadd_uptime_seconds", "Seconds since the daemon started.", MetricType::Gauge).add(m.uptime_s);
  Family(f, "treadd_metrics_updated_timestamp_seconds", "When this file was written, Unix time (alert when stale).",
         MetricType::Gauge)
      .add(now_unix_s);
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, f);
  return out.str();
}

bool write_metrics_file(const std::filesystem::path& file, const std::string& text) {
  std::error_code ec;
  if (std::filesystem::create_directories(file.parent_path(), ec)) {
    // A monitoring user with no treadd role reads this directory (tmpfiles.d makes it 0755 too).
    std::filesystem::permissions(file.parent_path(), std::filesystem::perms(0755), ec);
  }
  const auto tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << text;
    out.close();  // a full disk shows up here, when the buffer is written
    if (out.fail()) return false;
  }
  // Readable by a monitoring user that holds no treadd role (the unit's umask is 0027).
  std::filesystem::permissions(tmp, std::filesystem::perms(0644), ec);
  std::filesystem::rename(tmp, file, ec);
  return !ec;
}

}  // namespace treadd
