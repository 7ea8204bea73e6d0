#pragma once

#include "knob_widget.h"
#include "load/load_config.h"
#include "pool/transport_config.h"
#include "server/server_config.h"

#include <QHash>
#include <QWidget>
#include <functional>

namespace poolscope {

// The settings dock: every knob, grouped as Go groups them (Transport, Dialer,
// Client) plus the load and the embedded server. Holds the current configs;
// a user edit updates them and emits knobEdited with the knob's display texts
// before and after, which the window turns into a chart marker.
class SettingsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsPanel)

public:
    enum class Section { Transport, Load, Server };

    explicit SettingsPanel(QWidget *parent = nullptr);

    // Shows these configs in the knobs (no knobEdited).
    void setConfigs(
        const TransportConfig &transport, const LoadConfig &load, const ServerConfig &server);
    [[nodiscard]] const TransportConfig &transportConfig() const { return m_transport; }
    [[nodiscard]] const LoadConfig &loadConfig() const { return m_load; }
    [[nodiscard]] const ServerConfig &serverConfig() const { return m_server; }

    // Knob by key ("MaxIdleConnsPerHost", "Dialer.Timeout", "workers", "server latency"...).
    [[nodiscard]] KnobWidget *knob(const QString &key) const;
    [[nodiscard]] QStringList knobKeys() const { return m_order; }

Q_SIGNALS:
    void knobEdited(poolscope::SettingsPanel::Section section, const QString &key,
        const QString &oldText, const QString &newText);

private:
    struct Binding
    {
        Section section;
        std::function<double(const SettingsPanel &)> read;
        std::function<void(SettingsPanel &, double)> write;
    };
    KnobWidget *add(QWidget *group, Section section, const KnobSpec &spec,
        std::function<double(const SettingsPanel &)> read,
        std::function<void(SettingsPanel &, double)> write);
    void refreshKnobs();

    TransportConfig m_transport = TransportConfig::goDefault();
    LoadConfig m_load;
    ServerConfig m_server;
    QHash<QString, KnobWidget *> m_knobs;
    QHash<QString, Binding> m_bindings;
    QStringList m_order;
};

} // namespace poolscope
