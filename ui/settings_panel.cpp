#include "settings_panel.h"

#include "knob_widget.h"

#include <QCoreApplication>
#include <QGroupBox>
#include <QLabel>
#include <QVBoxLayout>
#include <optional>

namespace poolscope {

namespace {

// Every knob comes from the knob table; the panel adds only a note under some
// group titles.
struct GroupNote
{
    KnobGroup group;
    const char *text;
};
constexpr GroupNote kGroupNotes[] = {
    { KnobGroup::Transport,
        QT_TRANSLATE_NOOP("poolscope::SettingsPanel",
            "Hover a knob for its Go field and what zero means. ↺ resets to Go's "
            "http.DefaultTransport value.") },
    { KnobGroup::Load, QT_TRANSLATE_NOOP("poolscope::SettingsPanel", "What the callers do.") },
    { KnobGroup::Server,
        QT_TRANSLATE_NOOP("poolscope::SettingsPanel",
            "The target PoolScope starts on 127.0.0.1. Changes apply to its next request.") },
};

QString groupTitle(KnobGroup group)
{
    return QCoreApplication::translate("Knob", knobGroupTitle(group).toUtf8().constData());
}

void addNote(QLayout *layout, KnobGroup group)
{
    for (const GroupNote &n : kGroupNotes) {
        if (n.group == group) {
            auto *note = new QLabel(SettingsPanel::tr(n.text));
            note->setWordWrap(true);
            note->setStyleSheet(QStringLiteral("color: #555;"));
            layout->addWidget(note);
        }
    }
}

QGroupBox *addGroupBox(QVBoxLayout *layout, KnobGroup group)
{
    auto *box = new QGroupBox(groupTitle(group));
    auto *v = new QVBoxLayout(box);
    v->setSpacing(4);
    addNote(v, group);
    layout->addWidget(box);
    return box;
}

// A group that is a field of the previous one (tls.Config in the Transport,
// KeepAliveConfig in the Dialer) gets a heading inside its parent's box.
void addSubgroupHeading(QGroupBox *box, KnobGroup group)
{
    auto *heading = new QLabel(groupTitle(group), box);
    heading->setObjectName(QStringLiteral("knobSubgroupTitle"));
    QFont bold = heading->font();
    bold.setBold(true);
    heading->setFont(bold);
    heading->setContentsMargins(0, 6, 0, 0);
    box->layout()->addWidget(heading);
    addNote(box->layout(), group);
}

} // namespace

SettingsPanel::Section SettingsPanel::sectionOf(KnobGroup group)
{
    switch (group) {
    case KnobGroup::Transport:
    case KnobGroup::Tls:
    case KnobGroup::Dialer:
    case KnobGroup::KeepAliveConfig:
    case KnobGroup::Client:
        return Section::Transport;
    case KnobGroup::Load:
        return Section::Load;
    case KnobGroup::Server:
        return Section::Server;
    }
    return Section::Transport;
}

SettingsPanel::SettingsPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    QGroupBox *box = nullptr;
    std::optional<KnobGroup> group;
    const char *boxSection = "";
    for (const Knob &k : knobTable()) {
        if (!k.inPanel) {
            continue;
        }
        if (group != k.group) {
            group = k.group;
            // Same scenario-file section as the open box: a field of its group.
            if (box && qstrcmp(knobSection(k.group), boxSection) == 0) {
                addSubgroupHeading(box, k.group);
            } else {
                box = addGroupBox(layout, k.group);
                boxSection = knobSection(k.group);
            }
        }
        addKnob(box, k);
    }
    layout->addStretch(1);
    refreshKnobs();
}

void SettingsPanel::addKnob(QWidget *box, const Knob &knob)
{
    auto *widget = new KnobWidget(knob, box);
    box->layout()->addWidget(widget);
    const QString key = QString::fromLatin1(knob.key);
    m_knobs.insert(key, widget);
    m_order << key;
    connect(widget, &KnobWidget::valueEdited, this, [this, widget, key](double now, double old) {
        const Knob &k = widget->knob();
        k.set(m_settings, knobFromDisplay(k, now));
        Q_EMIT knobEdited(
            sectionOf(k.group), key, widget->displayText(old), widget->displayText(now), old, now);
    });
}

void SettingsPanel::setSettings(const Settings &settings)
{
    m_settings = settings;
    refreshKnobs();
}

void SettingsPanel::refreshKnobs()
{
    for (KnobWidget *widget : std::as_const(m_knobs)) {
        const Knob &k = widget->knob();
        widget->setValue(knobDisplayValue(k, k.get(m_settings)));
    }
}

KnobWidget *SettingsPanel::knob(const QString &key) const
{
    return m_knobs.value(key, nullptr);
}

} // namespace poolscope
