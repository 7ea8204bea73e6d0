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

// The number at a path of keys separated by '|' ("h2|max_streams_per_conn"); 0 if absent.
inline qint64 jsonNumber(const QJsonObject &o, const QString &path)
{
    QJsonValue v = o;
    for (const QString &part : path.split(QLatin1Char('|'))) {
        v = v.toObject().value(part);
    }
    return static_cast<qint64>(v.toDouble());
}

} // namespace poolscope::testsupport
