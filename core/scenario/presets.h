#pragma once

#include "load/load_config.h"
#include "pool/transport_config.h"
#include "server/server_config.h"

#include <QString>
#include <QStringView>
#include <optional>
#include <vector>

class QJsonObject;

namespace poolscope {

// A scenario: everything a run needs (client Transport, load, embedded server)
// plus the words that tell a newcomer what to look at. Built-in presets and
// scenario files share this shape.
struct Preset
{
    QString id; // stable, used by --preset and Ctrl+1..9 ordering
    QString title; // short, for menus
    QString explanation; // one paragraph shown in the window: what to watch and why
    TransportConfig transport;
    LoadConfig load;
    ServerConfig server;

    bool operator==(const Preset &) const = default;
};

// The built-in presets, in menu order. Every one of them is bounded in time.
[[nodiscard]] const std::vector<Preset> &builtinPresets();
// nullptr when no built-in preset has this id.
[[nodiscard]] const Preset *findPreset(QStringView id);
// The same; when there is none, *error reads "unknown preset \"x\"; known
// presets: a, b, ..." (what --preset says, in the window and in `run`).
[[nodiscard]] const Preset *findPreset(QStringView id, QString *error);

// Scenario JSON (format "poolscope-scenario", version 1): every knob of the
// knob table at its knobJsonPath ("transport.MaxIdleConnsPerHost",
// "dialer.KeepAliveConfig.Idle", "load.workers"), in the JSON type of its kind
// (durations as Go duration strings, "90s", "1.5ms"). Knobs left out take
// http.DefaultTransport's values or LoadConfig{}/ServerConfig{} defaults.
// Unknown keys and wrong types are errors naming the dotted field, so a
// misspelt field never silently does nothing.
[[nodiscard]] QJsonObject scenarioToJson(const Preset &preset);
// On failure returns nullopt and writes a message naming the offending key.
[[nodiscard]] std::optional<Preset> scenarioFromJson(const QJsonObject &json, QString *error);

// Reads a scenario file (at most 1 MiB, whatever the file claims: devices and
// pipes have no size); on failure returns nullopt and sets *error to a message
// that names the file and what is wrong (line/column for bad JSON).
[[nodiscard]] std::optional<Preset> loadScenarioFile(const QString &path, QString *error);
// Writes a scenario file (indented JSON); false with *error on I/O failure.
bool saveScenarioFile(const QString &path, const Preset &preset, QString *error);

} // namespace poolscope
