#pragma once

#include "knob_widget.h"
#include "scenario/knob_table.h"

#include <QHash>
#include <QStringList>
#include <QWidget>

namespace poolscope {

// The settings dock, generated from the knob table: one KnobWidget per row the
// panel shows (Knob::inPanel), in table order, grouped as Go groups them
// (Transport with its TLS config, Dialer with its KeepAliveConfig, Client) plus
// the load and the embedded server. Holds the current Settings; a user edit
// updates them through the row's accessor and emits knobEdited with the knob's
// display texts and display values before and after: the window turns the texts
// into a chart marker and keeps the values for undo.
class SettingsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsPanel)

public:
    // Which config a knob's edit changes: the window sends that whole config.
    enum class Section { Transport, Load, Server };
    [[nodiscard]] static Section sectionOf(KnobGroup group);

    explicit SettingsPanel(QWidget *parent = nullptr);

    // Shows these settings in the knobs (no knobEdited).
    void setSettings(const Settings &settings);
    [[nodiscard]] const Settings &settings() const { return m_settings; }
    [[nodiscard]] const TransportConfig &transportConfig() const { return m_settings.transport; }
    [[nodiscard]] const LoadConfig &loadConfig() const { return m_settings.load; }
    [[nodiscard]] const ServerConfig &serverConfig() const { return m_settings.server; }

    // Knob by the table's stable key ("MaxIdleConnsPerHost", "Dialer.Timeout",
    // "load.think", "server.latency"...); nullptr for unknown keys and rows the
    // panel does not show.
    [[nodiscard]] KnobWidget *knob(const QString &key) const;
    // The keys of the knobs shown, in table order.
    [[nodiscard]] QStringList knobKeys() const { return m_order; }

Q_SIGNALS:
    void knobEdited(poolscope::SettingsPanel::Section section, const QString &key,
        const QString &oldText, const QString &newText, double oldValue, double newValue);

private:
    void addKnob(QWidget *box, const Knob &knob);
    void refreshKnobs();

    Settings m_settings;
    QHash<QString, KnobWidget *> m_knobs;
    QStringList m_order;
};

} // namespace poolscope
