// Builds a Go program from the tests offline: no modules, no proxy, caches and $HOME inside
// the build tree, so it works as any user on a machine without network.
#pragma once

#include <QDir>
#include <QProcess>
#include <QString>

namespace poolscope::testsupport {

struct GoBuild
{
    bool ok = false;
    QString output; // go build's output, for the failure message
};

// `go build -o <output> .` in <sourceDir>, with its caches under <workDir>.
inline GoBuild goBuild(const QString &go, const QString &sourceDir, const QString &workDir,
    const QString &output, int timeoutMs = 240000)
{
    QDir().mkpath(workDir);
    QProcess build;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GO111MODULE"), QStringLiteral("off"));
    env.insert(QStringLiteral("GOFLAGS"), QString());
    env.insert(QStringLiteral("CGO_ENABLED"), QStringLiteral("0"));
    env.insert(QStringLiteral("GOCACHE"), workDir + QStringLiteral("/cache"));
    env.insert(QStringLiteral("GOPATH"), workDir + QStringLiteral("/gopath"));
    env.insert(QStringLiteral("GOPROXY"), QStringLiteral("off"));
    env.insert(QStringLiteral("HOME"), workDir);
    build.setProcessEnvironment(env);
    build.setWorkingDirectory(sourceDir);
    build.setProcessChannelMode(QProcess::MergedChannels);
    build.start(go, { QStringLiteral("build"), QStringLiteral("-o"), output, QStringLiteral(".") });
    if (!build.waitForFinished(timeoutMs)) {
        build.kill();
        build.waitForFinished(5000);
        return { false, QStringLiteral("go build in %1 did not finish").arg(sourceDir) };
    }
    const QString out = QString::fromUtf8(build.readAll());
    return { build.exitStatus() == QProcess::NormalExit && build.exitCode() == 0, out };
}

} // namespace poolscope::testsupport
