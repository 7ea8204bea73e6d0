#pragma once

// What a user reads on the charts, for the layout tests (tst_ui_chart_layout, tst_ui_i18n):
// the texts drawn in a chart's scene, whether one is elided, and what is clipped in a
// chart's title row (its title and legend entries).
#include "chart_legend.h"
#include "charts_panel.h"

#include <QAbstractButton>
#include <QChart>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QLabel>
#include <QStringList>

namespace poolscope::testsupport {

inline QStringList sceneTexts(QChart *chart)
{
    QStringList out;
    for (QGraphicsItem *item : chart->scene()->items()) {
        if (!item->isVisible()) {
            continue;
        }
        if (auto *t = dynamic_cast<QGraphicsTextItem *>(item)) {
            out << t->toPlainText();
        } else if (auto *st = dynamic_cast<QGraphicsSimpleTextItem *>(item)) {
            out << st->text();
        }
    }
    return out;
}

inline bool elided(const QString &text)
{
    return text.contains(QChar(0x2026)) || text.contains(QStringLiteral("..."));
}

// The chart's title not shown whole, or a visible legend entry cut off.
inline QStringList legendProblems(ChartsPanel &panel, ChartsPanel::Chart c)
{
    QStringList problems;
    const int n = static_cast<int>(c);
    ChartLegend *legend = panel.legend(c);
    QLabel *title = legend->titleLabel();
    if (elided(title->text())
        || title->contentsRect().width() < title->fontMetrics().horizontalAdvance(title->text())
        || !legend->rect().contains(title->geometry())) {
        problems << QStringLiteral("chart %1 title \"%2\" clipped in %3 px")
                        .arg(n)
                        .arg(title->text())
                        .arg(title->width());
    }
    for (QAbstractButton *b : legend->findChildren<QAbstractButton *>()) {
        if (!b->isHidden()
            && (!legend->rect().contains(b->geometry()) || b->width() < b->sizeHint().width())) {
            problems
                << QStringLiteral("chart %1 legend entry \"%2\" clipped").arg(n).arg(b->text());
        }
    }
    return problems;
}

} // namespace poolscope::testsupport
