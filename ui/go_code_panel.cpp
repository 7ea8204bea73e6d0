#include "go_code_panel.h"

#include "scenario/go_snippet.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace poolscope {

GoCodePanel::GoCodePanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *bar = new QHBoxLayout;
    auto *title = new QLabel(tr("The current settings as Go code"), this);
    title->setWordWrap(true);
    m_copy = new QPushButton(tr("Copy"), this);
    m_copy->setObjectName(QStringLiteral("copyButton"));
    m_copy->setToolTip(tr("Copy the Go code to the clipboard"));
    connect(m_copy, &QPushButton::clicked, this, &GoCodePanel::copyToClipboard);
    m_status = new QLabel(this);
    bar->addWidget(title, 1);
    bar->addWidget(m_status);
    bar->addWidget(m_copy);
    layout->addLayout(bar);
    m_text = new QPlainTextEdit(this);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    applyFonts();
    layout->addWidget(m_text, 1);
    setConfig(TransportConfig::goDefault());
}

void GoCodePanel::setConfig(const TransportConfig &config, const LoadConfig &load)
{
    const QString code = goSnippet(config, load);
    if (code != m_text->toPlainText()) {
        m_text->setPlainText(code);
        m_status->clear();
    }
}

QString GoCodePanel::text() const
{
    return m_text->toPlainText();
}

void GoCodePanel::copyToClipboard()
{
    QApplication::clipboard()->setText(text());
    m_status->setText(tr("copied"));
}

void GoCodePanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange && m_text) {
        applyFonts();
    }
}

void GoCodePanel::applyFonts()
{
    // Fixed pitch at the panel's text size, which follows the window's.
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(font().pointSizeF());
    m_text->setFont(mono);
    // Tabs as gofmt renders them: 4 columns wide.
    m_text->setTabStopDistance(QFontMetricsF(mono).horizontalAdvance(u' ') * 4);
}

} // namespace poolscope
