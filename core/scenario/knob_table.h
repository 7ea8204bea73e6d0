#pragma once

#include "load/load_config.h"
#include "pool/transport_config.h"
#include "server/server_config.h"

#include <QAnyStringView>
#include <QJsonValue>
#include <QString>
#include <QStringView>
#include <cstdint>
#include <span>
#include <variant>

namespace poolscope {

// Everything one run is configured with: the Transport (with its Dialer and
// Client), the load and the embedded server. Starts from Go's
// http.DefaultTransport.
struct Settings
{
    TransportConfig transport = TransportConfig::goDefault();
    LoadConfig load;
    ServerConfig server;

    bool operator==(const Settings &) const = default;
};

// Where a knob lives in Go (or in PoolScope, for Load and Server). The scenario
// file section and the Go snippet's composite literal follow from it.
enum class KnobGroup : std::uint8_t {
    Transport, // http.Transport
    Tls, // http.Transport.TLSClientConfig (tls.Config)
    Dialer, // net.Dialer
    KeepAliveConfig, // net.Dialer.KeepAliveConfig (Go 1.23+)
    Client, // http.Client
    Load, // PoolScope's callers
    Server, // PoolScope's embedded target server
};

enum class KnobKind : std::uint8_t {
    Int, // KnobValue holds qint64
    Real, // double
    Duration, // Duration (nanoseconds); text and JSON in Go's syntax ("90s")
    Bool, // bool
    Choice, // QString, one of Knob::choices' keys
    Text, // QString, checked by Knob::validate
    // QString holding items one a line, each checked by Knob::validate. A flag that
    // may be repeated (each --url adds one); in a scenario file a string when there
    // is at most one item, an array of strings when there are several.
    TextList,
};

using KnobValue = std::variant<qint64, double, Duration, bool, QString>;

struct KnobChoice
{
    const char *key; // in files and on the command line: "close-early"
    const char *label; // in the window: "close early"
};

// One knob, every fact about it. The settings panel, the command-line flags
// and their --help, scenario files in both directions, `--set`, chart markers
// and the Go snippet are all generated from these rows; nothing else spells a
// knob out. Texts are English source strings, translated in the "Knob" context.
struct Knob
{
    // Stable key: scenario-file paths derive from group + jsonKey, but this key
    // is what `--set KEY=VALUE@DUR`, markers and lessons use. Go knobs use their
    // Go name ("MaxIdleConnsPerHost", "Dialer.Timeout"); ours "load.workers".
    const char *key;
    // Fully qualified Go field ("http.Transport.MaxIdleConnsPerHost"), "" for ours.
    const char *goField;
    KnobGroup group;
    KnobKind kind;
    // Command-line flag without "--" ("max-idle-conns-per-host").
    const char *flag;
    // Name inside the knob's scenario-file object; the Go field name for Go knobs.
    const char *jsonKey;
    // Window label ("MaxIdleConnsPerHost", "think time").
    const char *label;
    // What it does; shown as tooltip and in --help.
    const char *help;
    // What zero and a negative value mean, "" when nothing special. When zero
    // stands for another value X, zeroMeans reads "0 means X ..." and markers
    // show "0 (=X)" (knobZeroAlias); otherwise it reads "0 = ...".
    const char *zeroMeans;
    const char *negativeMeans;
    // Unit shown beside numbers ("conns", "B", "req/s"). Durations: "ms" or "s",
    // the unit the slider and spin box show them in.
    const char *unit;
    // Valid values, in the knob's base unit: Int and Real as they are, Duration in
    // seconds. Parsing rejects anything outside (and NaN or infinities).
    double min;
    double max;
    // The slider's range, in the displayed unit (see displayScale()).
    double uiMin;
    double uiMax;
    int decimals; // spin box decimals
    std::span<const KnobChoice> choices; // Kind::Choice
    // Kind::Text: "" when the text is acceptable, otherwise why not (TextList: each item).
    QString (*validate)(QStringView text);
    // True when a change needs the next Start (e.g. the server's TLS).
    bool needsRestart;
    // False for the few knobs the window edits elsewhere (the URL box) or keeps
    // to scenario files and flags (listen address, port, random seed).
    bool inPanel;
    KnobValue (*get)(const Settings &);
    void (*set)(Settings &, const KnobValue &);
    // The settings panel's default (its badge and reset button) in knobText form,
    // "" for Settings{}'s value. Only for our own knobs whose Settings{} value the
    // panel cannot show: LoadConfig's run length 0 means "bounded by requests",
    // below the slider, so the panel's default is the presets' 5m0s.
    const char *panelDefault = "";

    [[nodiscard]] bool isGo() const { return goField[0] != '\0'; }
    // Displayed value per base value: 1000 for durations shown in ms, 100 for a
    // probability shown in %, 1 otherwise.
    [[nodiscard]] double displayScale() const;
};

// Every knob, in the order the window and --help show them.
[[nodiscard]] std::span<const Knob> knobTable();
// nullptr when no knob has this key (or flag).
[[nodiscard]] const Knob *findKnob(QAnyStringView key);
[[nodiscard]] const Knob *findKnobByFlag(QAnyStringView flag);

// Scenario-file section of a group: "transport", "dialer", "client", "load", "server";
// KeepAliveConfig knobs sit in "dialer"."KeepAliveConfig", Tls ones in "transport".
[[nodiscard]] const char *knobSection(KnobGroup group);
// The knob's dotted path in a scenario file: "dialer.KeepAliveConfig.Idle".
[[nodiscard]] QString knobJsonPath(const Knob &knob);
// "Transport (http.Transport)", "Load": English source text, translated in the
// "Knob" context.
[[nodiscard]] QString knobGroupTitle(KnobGroup group);

// Go's http.DefaultTransport value (Settings{}), and a zero http.Transport{}'s.
[[nodiscard]] KnobValue knobGoDefault(const Knob &knob);
[[nodiscard]] KnobValue knobZeroDefault(const Knob &knob);
// The settings panel's default: knobGoDefault unless the row names panelDefault.
[[nodiscard]] KnobValue knobPanelDefault(const Knob &knob);
// The value zero stands for, taken from zeroMeans' "0 means X (...)" form:
// "2" for MaxIdleConnsPerHost, "15 s" for Dialer.KeepAlive; "" when zero is
// no other value ("0 = no timeout").
[[nodiscard]] QString knobZeroAlias(const Knob &knob);
// Valid values (min and max) as the knob's text: "[0s, 576h0m0s]", "[1, 100000]".
[[nodiscard]] QString knobRangeText(const Knob &knob);

// Checks a value against the knob's kind and range; "" when fine, else why not
// (without the knob's name: callers say where it came from).
[[nodiscard]] QString checkKnobValue(const Knob &knob, const KnobValue &value);
// Parses command-line / --set text: integers, finite numbers, Go durations,
// true/false (also on/off, 1/0), a choice key, or checked text.
[[nodiscard]] bool parseKnobText(const Knob &knob, QStringView text, KnobValue *out, QString *why);
// "90s", "10", "true", "close-early": round-trips through parseKnobText.
[[nodiscard]] QString knobText(const Knob &knob, const KnobValue &value);
// Strict: an Int must be an integral JSON number, a Duration a Go duration
// string, a Bool a JSON bool; the range applies.
[[nodiscard]] bool knobFromJson(
    const Knob &knob, const QJsonValue &json, KnobValue *out, QString *why);
[[nodiscard]] QJsonValue knobToJson(const Knob &knob, const KnobValue &value);

// The value as the window shows it (durations in the knob's unit, a probability
// in %, a bool as 0/1, a choice as its index) and back. Durations round to the
// nearest nanosecond (4.1 s is 4100000000 ns); every negative duration means
// the same ("off", "kernel default"), shown as -1 and read back as Go's -1.
[[nodiscard]] double knobDisplayValue(const Knob &knob, const KnobValue &value);
[[nodiscard]] KnobValue knobFromDisplay(const Knob &knob, double display);

} // namespace poolscope
