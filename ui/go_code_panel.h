#pragma once

#include "load/load_config.h"
#include "pool/transport_config.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace poolscope {

// Shows the current Transport settings as compilable Go (goSnippet) with a
// Copy button, so what the user tuned can go straight into a Go program.
class GoCodePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GoCodePanel)

public:
    explicit GoCodePanel(QWidget *parent = nullptr);

    // The client's settings; the load adds the mixed callers' method when it has one.
    void setConfig(const TransportConfig &config, const LoadConfig &load = {});
    [[nodiscard]] QString text() const;
    [[nodiscard]] QPushButton *copyButton() const { return m_copy; }

public Q_SLOTS:
    void copyToClipboard();

protected:
    // The code's fixed-pitch font follows the window's text size.
    void changeEvent(QEvent *event) override;

private:
    void applyFonts();

    QPlainTextEdit *m_text = nullptr;
    QPushButton *m_copy = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace poolscope
