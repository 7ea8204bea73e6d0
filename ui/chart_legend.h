#pragma once

#include <QHash>
#include <QStringList>
#include <QWidget>

class QAbstractButton;
class QLabel;

namespace poolscope {

class ChartFlowLayout;

// A chart's header: its title, then one small toggle per series (a colour
// swatch and a short name; the long explanation is the tooltip). Entries wrap
// onto more lines rather than narrowing the chart or eliding anything, and the
// title shows the longest of its variants that fits the width.
class ChartLegend final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartLegend)

public:
    struct Swatch
    {
        QColor color;
        Qt::PenStyle style = Qt::SolidLine;
        bool filled = false; // an area rather than a line
    };

    explicit ChartLegend(QWidget *parent = nullptr);
    ~ChartLegend() override;

    // Title variants, longest first; toolTip explains the chart in full.
    void setTitles(const QStringList &longestFirst, const QString &toolTip);
    [[nodiscard]] QString title() const;
    [[nodiscard]] QLabel *titleLabel() const { return m_title; }

    // An entry that starts on (checked); clicking it emits toggled(key, on).
    QAbstractButton *addEntry(
        const QString &key, const QString &text, const QString &toolTip, const Swatch &swatch);
    void setEntryText(const QString &key, const QString &text);
    // Hidden entries take no room (a close reason that has not happened yet).
    void setEntryShown(const QString &key, bool shown);
    [[nodiscard]] QAbstractButton *entry(const QString &key) const { return m_entries.value(key); }
    [[nodiscard]] bool isOn(const QString &key) const;

Q_SIGNALS:
    void toggled(const QString &key, bool on);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void fitTitle();

    QStringList m_titles;
    QLabel *m_title = nullptr;
    ChartFlowLayout *m_flow = nullptr;
    QHash<QString, QAbstractButton *> m_entries;
};

} // namespace poolscope
