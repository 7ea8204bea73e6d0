#pragma once

// Runs the poolscope binary once with a deadline and keeps what a user would
// see: the exit code, stdout (parsed as JSON when it is one object) and stderr.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace poolscope::testsupport {

struct CliResult
{
    int code = -1; // -1: crashed or did not finish in time
    QJsonObject json;
    QString out;
    QString err;
};

inline CliResult runCli(const QString &bin, const QStringList &args, int timeoutMs = 60000)
{
    QProcess p;
    p.start(bin, args);
    CliResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    r.json = QJsonDocument::fromJson(r.out.toUtf8()).object();
    return r;
}

} // namespace poolscope::testsupport
