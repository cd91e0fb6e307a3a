// SPDX-License-Identifier: Apache-2.0
#include "config/machine_keys.hpp"

#include <sstream>

#include "core/units.hpp"

namespace treadd {

namespace {
using Field = MachineKey::Field;
using K = MachineKind;

// A row's field: where the key's value goes in a MachineConfig.
#define TREADD_FIELD(member) [](MachineConfig& m) -> Field { return &m.member; }

std::string_view parity_word(const MachineConfig& m) {
  return m.drive.parity == 'E' ? "E" : m.drive.parity == 'O' ? "O" : "N";
}
bool choose_parity(MachineConfig& m, std::string_view w) {
  if (w != "N" && w != "E" && w != "O") return false;
  m.drive.parity = w[0];
  return true;
}
bool choose_transport(MachineConfig& m, std::string_view w) {
  const auto t = parse_transport(w);
  if (t) m.drive.transport = *t;
  return t.has_value();
}
std::string_view age_by_word(const MachineConfig& m) {
  return m.records.age_by == AgeClock::system ? "system_clock" : "synchronised_clock";
}
bool choose_age_by(MachineConfig& m, std::string_view w) {
  if (w != "synchronised_clock" && w != "system_clock") return false;
  m.records.age_by = w == "system_clock" ? AgeClock::system : AgeClock::synchronised;
  return true;
}
bool choose_patient_code(MachineConfig& m, std::string_view w) {
  if (w != "required" && w != "optional") return false;
  m.records.patient_code_required = w == "required";
  return true;
}

MachineKey choice(std::string_view section, std::string_view key, std::string_view words,
                  std::string_view (*word_of)(const MachineConfig&), bool (*choose)(MachineConfig&, std::string_view),
                  std::string_view meaning) {
  MachineKey k{};
  k.section = section;
  k.key = key;
  k.kind = K::choice;
  k.words = words;
  k.word_of = word_of;
  k.choose = choose;
  k.meaning = meaning;
  return k;
}

MachineKey value(std::string_view section, std::string_view key, K kind, Field (*field)(MachineConfig&), bool required,
                 double min, double max, std::string_view why, std::string_view meaning,
                 std::string_view default_note = "") {
  MachineKey k{};
  k.section = section;
  k.key = key;
  k.kind = kind;
  k.required = required;
  k.min = min;
  k.max = max;
  k.why = why;
  k.meaning = meaning;
  k.default_note = default_note;
  k.field = field;
  return k;
}

MachineKey text(std::string_view section, std::string_view key, Field (*field)(MachineConfig&), std::string_view meaning,
                std::string_view default_note = "") {
  MachineKey k{};
  k.section = section;
  k.key = key;
  k.kind = K::text;
  k.field = field;
  k.meaning = meaning;
  k.default_note = default_note;
  return k;
}
}  // namespace

const std::array<MachineKey, 41> machine_keys = {
    choice("drive", "transport", "sim|tcp|rtu|unconfigured", [](const MachineConfig& m) { return to_string(m.drive.transport); },
           choose_transport, "`sim` = the built-in simulated drive; `tcp` = Modbus TCP; `rtu` = Modbus RTU over RS-485; "
           "`unconfigured` = as installed: no drive set yet, every session refused"),
    text("drive", "host", TREADD_FIELD(drive.host), "Modbus TCP address of the drive"),
    value("drive", "port", K::count, TREADD_FIELD(drive.port), false, 1, 65535, "a TCP port", "Modbus TCP port"),
    text("drive", "device", TREADD_FIELD(drive.device), "the RS-485 adapter, e.g. /dev/ttyUSB0 (required for rtu)", "none"),
    value("drive", "baud", K::count, TREADD_FIELD(drive.baud), false, 1200, 921600, "a serial line's speeds",
          "RS-485 line speed (bits per second), as set on the drive"),
    choice("drive", "parity", "N|E|O", parity_word, choose_parity, "RS-485 parity, as set on the drive"),
    value("drive", "data_bits", K::count, TREADD_FIELD(drive.data_bits), false, 7, 8, "Modbus RTU frames", "RS-485 data bits"),
    value("drive", "stop_bits", K::count, TREADD_FIELD(drive.stop_bits), false, 1, 2, "Modbus RTU frames", "RS-485 stop bits"),
    value("drive", "unit_id", K::count, TREADD_FIELD(drive.unit_id), false, 1, 247, "Modbus addresses",
          "the drive's Modbus address"),
    value("drive", "response_timeout", K::duration, TREADD_FIELD(drive.response_timeout), false, 0.01, 2,
          "a drive answers within milliseconds; a longer wait only delays noticing a dead link",
          "per Modbus transaction (response and byte timeout)"),
    value("drive", "poll_period", K::duration, TREADD_FIELD(drive.poll_period), false, 0.005, 0.5,
          "the belt is read and steered once per poll; slower than 0.5 s it runs unwatched",
          "one write of the full command and one block read of feedback per period; on RTU refused when shorter "
          "than one such cycle on the wire at the configured baud and format"),
    value("drive", "max_failed_polls", K::count, TREADD_FIELD(drive.max_failed_polls), false, 1, 20,
          "a few failures in a row tell a dead link from a lost frame", "consecutive failed polls that declare the link down"),
    text("drive", "profile", TREADD_FIELD(drive.profile),
         "the drive's register map `drives/<name>.yaml`, looked up in `<config-dir>/drives/` then "
         "`/usr/share/treadd/drives/` (abb-acs580, delta-ms300, optidrive-e3, siemens-v20; generic = treadsim's map); "
         "required for tcp and rtu",
         "none"),
    text("drive", "commissioning_waiver", TREADD_FIELD(drive.commissioning_waiver),
         "why this tcp/rtu machine may run sessions without a passed `treadd --commission` (a bench rig); shown in "
         "status and the journal",
         "none"),
    value("belt", "kmh_per_hz", K::ratio, TREADD_FIELD(belt.kmh_per_hz), true, 0.02, 1, "a belt gear of 1 to 50 km/h at 50 Hz",
          "belt km/h per motor Hz"),
    value("ceilings", "forward_max", K::speed, TREADD_FIELD(ceilings.forward_max_kmh), true, 0, 25,
          "no treadmill built for people runs its belt faster", "absolute forward cap: no profile may exceed it"),
    value("ceilings", "reverse_max", K::speed, TREADD_FIELD(ceilings.reverse_max_kmh), true, 0, 16,
          "backward running is far slower than forward running; above 16 km/h nobody runs backward",
          "absolute backward cap: no profile may exceed it"),
    value("ceilings", "max_accel", K::accel, TREADD_FIELD(ceilings.max_accel_mps2), true, 0.05, 2.9,
          "below 0.05 m/s² reaching walking speed takes most of a minute; 3 m/s² perturbs balance",
          "steepest ramp up any profile may set"),
    value("ceilings", "max_decel", K::accel, TREADD_FIELD(ceilings.max_decel_mps2), true, 0.1, 2.9,
          "below 0.1 m/s² a stop from running speed takes half a minute; 3 m/s² perturbs balance",
          "steepest ramp down any profile may set; must stop the belt from the highest ceiling within max_stop_time"),
    value("ceilings", "emergency_decel", K::accel, TREADD_FIELD(ceilings.emergency_decel_mps2), true, 0.5, 2.9,
          "an emergency stop must brake harder than 0.5 m/s² and stay below the 3 m/s² that perturbs balance",
          "the drive's fast-stop ramp; at least max_decel"),
    value("ceilings", "max_session", K::duration, TREADD_FIELD(ceilings.max_session), true, 60, 4 * 3600,
          "a session of a minute to four hours", "longest session any profile may set, cool-down included"),
    value("ceilings", "max_stop_time", K::duration, TREADD_FIELD(ceilings.max_stop_time), false, 1, 15,
          "a stop that takes longer than 15 s is not a stop a patient can rely on",
          "every profile's decel must stop the belt from its cap within this"),
    value("ceilings", "max_speedup_time", K::duration, TREADD_FIELD(ceilings.max_speedup_time), false, 1, 120,
          "a profile's ramp up to its cap must finish within two minutes",
          "every profile's accel must reach its cap from standstill within this"),
    value("safety", "standstill_below", K::speed, TREADD_FIELD(safety.standstill_kmh), false, 0.01, 0.5,
          "above 0.5 km/h a belt visibly moves: it is not standing still",
          "below this the belt counts as standing (starts, direction changes, reset)"),
    value("safety", "standstill_dwell", K::duration, TREADD_FIELD(safety.standstill_dwell), false, 0.2, 10,
          "long enough to see the belt has settled, short enough to turn it around",
          "how long the belt must stay below standstill_below to be at standstill"),
    value("safety", "overspeed_margin", K::speed, TREADD_FIELD(safety.overspeed_margin_kmh), false, 0.1, 2,
          "more than 2 km/h above the cap is a belt out of control, not a margin",
          "measured above the cap plus this latches overspeed"),
    value("safety", "tracking_tolerance", K::speed, TREADD_FIELD(safety.tracking_tolerance_kmh), false, 0.2, 3,
          "a belt 3 km/h away from its command is not following it",
          "measured this far from commanded for tracking_time latches a tracking error"),
    value("safety", "tracking_time", K::duration, TREADD_FIELD(safety.tracking_time), false, 0.2, 10,
          "a belt that has not followed its command for 10 s has failed", "see tracking_tolerance"),
    value("safety", "link_timeout", K::duration, TREADD_FIELD(safety.link_timeout), false, 0.05, 2,
          "without a reading for 2 s the belt runs unwatched; below 50 ms one late reply would stop it",
          "no valid reply from the drive this long latches link loss"),
    value("safety", "implausible_step", K::speed, TREADD_FIELD(safety.implausible_step_kmh), false, 0.5, 5,
          "no belt changes by more than 5 km/h between two readings; below 0.5 km/h normal noise would trip it",
          "a jump between two readings no belt can make latches an implausible reading"),
    value("safety", "max_overruns", K::count, TREADD_FIELD(safety.max_overruns), false, 1, 50,
          "one late tick is noise; fifty is a loop that cannot keep time", "consecutive late ticks that latch a fault"),
    text("control", "socket", TREADD_FIELD(control.socket_path), "the control socket; overridden by `--socket`"),
    text("control", "clinician_group", TREADD_FIELD(control.clinician_group),
         "members of this group get the clinician role"),
    text("control", "operator_group", TREADD_FIELD(control.operator_group), "members of this group get the operator role"),
    value("control", "tick_rate", K::hertz, TREADD_FIELD(control.tick_hz), false, 10, 500,
          "slower than 10 Hz a ramp moves in visible steps; faster than 500 Hz the loop only burns the CPU",
          "control loop rate"),
    text("metrics", "textfile", TREADD_FIELD(metrics.textfile),
         "Prometheus text file the node exporter's textfile collector reads", "`<state-dir>/metrics/treadd.prom`"),
    value("metrics", "interval", K::duration, TREADD_FIELD(metrics.interval), false, 0.1, 300,
          "monitoring reads the file every few seconds; over 5 minutes it shows the past", "how often the file is written"),
    value("records", "keep", K::count, TREADD_FIELD(records.keep), false, 1, 100000, "at least the last record is kept",
          "session records kept; beyond it the oldest are deleted when a clinician starts a session, never at an "
          "operator's"),
    value("records", "keep_days", K::count, TREADD_FIELD(records.keep_days), false, 1, 36500, "a day to a hundred years",
          "records older than this many days are deleted (audited), at most 100 a session start",
          "none (no age limit)"),
    choice("records", "age_by", "synchronised_clock|system_clock", age_by_word, choose_age_by,
           "synchronised_clock: keep_days applies only while the kernel reports an NTP-synchronised clock; "
           "system_clock: trust the clock as it is, on a machine without NTP (a clock set forward deletes records early)"),
    choice("records", "patient_code", "optional|required",
           [](const MachineConfig& m) -> std::string_view { return m.records.patient_code_required ? "required" : "optional"; },
           choose_patient_code, "whether every session must be started with a pseudonymous patient code"),
};
#undef TREADD_FIELD

std::string_view unit_of(MachineKind k) {
  switch (k) {
    case K::speed: return "km/h";
    case K::accel: return "m/s²";
    case K::duration: return "duration";
    case K::hertz: return "Hz";
    case K::ratio: return "km/h per Hz";
    case K::count: return "count";
    case K::text: return "text";
    case K::choice: return "";
  }
  return "";
}

namespace {
std::string number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

// A duration as a technician writes it in the file: 20 ms, 2 s, 4 h.
std::string duration_text(double seconds) {
  if (seconds < 1) return number(seconds * 1000) + " ms";
  if (seconds < 120) return number(seconds) + " s";
  if (static_cast<long>(seconds) % 3600 == 0) return number(seconds / 3600) + " h";
  return number(seconds / 60) + " min";
}

std::string bounds_text(const MachineKey& k) {
  switch (k.kind) {
    case K::text:
    case K::choice: return "";
    case K::duration: return duration_text(k.min) + "–" + duration_text(k.max);
    default: {
      const std::string unit = k.kind == K::count ? "" : " " + std::string(unit_of(k.kind));
      return number(k.min) + "–" + number(k.max) + unit;
    }
  }
}

std::string words_text(std::string_view words) {
  std::string out;
  for (char c : words) out += c == '|' ? std::string("`, `") : std::string(1, c);
  return "`" + out + "`";
}
}  // namespace

std::string default_text(const MachineKey& k) {
  if (k.required) return "required";
  if (!k.default_note.empty()) return std::string(k.default_note);
  MachineConfig defaults;
  if (k.kind == K::choice) return std::string(k.word_of(defaults));
  return std::visit(
      [&](auto* p) -> std::string {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return *p;
        } else if constexpr (std::is_same_v<T, Millis>) {
          return duration_text(std::chrono::duration<double>(*p).count());
        } else if constexpr (std::is_same_v<T, int>) {
          return std::to_string(*p);
        } else {
          return k.kind == K::speed ? units::format_kmh(*p) : number(*p) + " " + std::string(unit_of(k.kind));
        }
      },
      k.field(defaults));
}

std::string machine_keys_markdown() {
  std::ostringstream s;
  s << "| key | unit / values | default | bounds | meaning |\n|---|---|---|---|---|\n";
  for (const MachineKey& k : machine_keys) {
    s << "| `" << k.section << "." << k.key << "` | " << (k.kind == K::choice ? words_text(k.words) : std::string(unit_of(k.kind)))
      << " | " << default_text(k) << " | " << bounds_text(k) << " | " << k.meaning << " |\n";
  }
  return s.str();
}

std::string machine_keys_roff() {
  std::ostringstream s;
  std::string_view section;
  for (const MachineKey& k : machine_keys) {
    if (k.section != section) {
      if (!section.empty()) s << ".RE\n";
      section = k.section;
      s << ".TP\n.B " << section << ":\n.RS\n";
    }
    s << ".TP\n.B " << k.key << "\n";
    s << (k.kind == K::choice ? std::string(k.words) : std::string(unit_of(k.kind))) << "; " << default_text(k);
    if (const std::string b = bounds_text(k); !b.empty()) s << "; " << b;
    s << ". " << k.meaning << ".\n";
  }
  s << ".RE\n";
  std::string out;
  for (char c : s.str()) {
    if (c == '`') continue;  // markdown's code quotes
    if (c == '-') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace treadd
