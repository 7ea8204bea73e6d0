#pragma once

#include <QLayout>
#include <QList>

namespace poolscope {

// Lays its items out left to right and wraps to a new line when the width runs
// out (heightForWidth), so a chart's title and legend take the rows they need
// instead of squeezing or eliding each other.
class ChartFlowLayout final : public QLayout
{
public:
    explicit ChartFlowLayout(QWidget *parent = nullptr, int hSpacing = 6, int vSpacing = 0);
    ~ChartFlowLayout() override;
    Q_DISABLE_COPY_MOVE(ChartFlowLayout)

    void addItem(QLayoutItem *item) override;
    [[nodiscard]] int count() const override { return static_cast<int>(m_items.size()); }
    [[nodiscard]] QLayoutItem *itemAt(int index) const override;
    QLayoutItem *takeAt(int index) override;
    [[nodiscard]] Qt::Orientations expandingDirections() const override { return {}; }
    [[nodiscard]] bool hasHeightForWidth() const override { return true; }
    [[nodiscard]] int heightForWidth(int width) const override;
    [[nodiscard]] QSize minimumSize() const override;
    [[nodiscard]] QSize sizeHint() const override;
    void setGeometry(const QRect &rect) override;

private:
    // Places the visible items in rect (when apply) and returns the height used.
    int doLayout(const QRect &rect, bool apply) const;

    QList<QLayoutItem *> m_items;
    int m_hSpacing;
    int m_vSpacing;
};

} // namespace poolscope
