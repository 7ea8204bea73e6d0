// Go conformance suite: every row of tests/conformance/scenarios.json runs
// through Go's own net/http.Transport (tests/goref, built here with the
// system's Go) and through `poolscope run`, against the same server, and the
// two results are compared: exactly, statistically, or event by event.
//
// Needs: go (POOLSCOPE_GO), nginx (POOLSCOPE_NGINX), the poolscope binary
// (POOLSCOPE_BIN). Any of them missing: the suite skips with the reason.
// POOLSCOPE_CONFORMANCE_REPORT=FILE also writes the side-by-side table as
// markdown (scripts/conformance.sh uses it for tests/conformance/report.md).
#include "pool/pool_types.h"
#include "support/go_build.h"
#include "support/nginx.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <algorithm>
#include <map>
#include <memory>
#include <optional>

using namespace poolscope;
using namespace poolscope::testsupport;

namespace {

constexpr int kClientTimeoutMs = 60000; // one client run; every scenario is bounded far below
constexpr int kDefaultExactRuns = 2;
constexpr int kDefaultStatRuns = 5;

enum class Kind { Exact, Statistical, Events };

struct Scenario
{
    QString name;
    Kind kind = Kind::Exact;
    QString about;
    QString why;
    QString pending;
    QString knownDivergence;
    QJsonObject server;
    QStringList args;
    QStringList goArgs;
    QStringList oursArgs;
    QStringList keys;
    int runs = kDefaultExactRuns;
    double tolerance = 0.0;
    double slack = 0.0;
    // "range" (default): our median inside Go's [min, max] widened by the tolerance.
    // "median": our median within max(tolerance * Go's median, slack) of Go's median.
    bool compareMedians = false;
    // Runs only in the full sweep (POOLSCOPE_CONFORMANCE_SWEEP=1, scripts/conformance.sh);
    // ctest shows it as skipped.
    bool sweepOnly = false;
    // Where Go's own result depends on the machine's load: said in the row.
    QString loadNote;
    // Expanded from a sweep row: its name template (the report's sweep table).
    QString sweepGroup;
};

// One line of the side-by-side table.
struct Row
{
    QString name;
    QString kind;
    QString go;
    QString ours;
    QString verdict; // PASS, FAIL, KNOWN DIVERGENCE, PENDING, ERROR
    QString note;
    QString about;
    QString why;
    QString detail; // events: the full sequences, for the report's appendix
    QString load; // /proc/loadavg's 1-minute figure before and after the row
    QString group; // the sweep it belongs to ("" for the main table)
};

// The 1-minute load average now (-1 when /proc/loadavg cannot be read).
double loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    bool ok = false;
    const double v
        = QString::fromLatin1(f.readLine()).section(QLatin1Char(' '), 0, 0).toDouble(&ok);
    return ok ? v : -1;
}

// "29 of 31 scenarios agree with Go; 2 known divergences (1 inside Go's range this run)."
QString summaryLine(const std::vector<Row> &rows)
{
    int pass = 0;
    int known = 0;
    int knownInside = 0;
    for (const Row &r : rows) {
        pass += r.verdict == QLatin1String("PASS");
        if (r.verdict.startsWith(QLatin1String("KNOWN DIVERGENCE"))) {
            ++known;
            knownInside += r.verdict != QLatin1String("KNOWN DIVERGENCE");
        }
    }
    QString line = QStringLiteral("%1 of %2 scenarios agree with Go").arg(pass).arg(rows.size());
    if (known > 0) {
        line += QStringLiteral("; %1 known divergence%2").arg(known).arg(known == 1 ? "" : "s");
        if (knownInside > 0) {
            line += QStringLiteral(" (%1 inside Go's range this run)").arg(knownInside);
        }
    }
    std::vector<double> loads;
    for (const Row &r : rows) {
        for (const QString &part : r.load.split(QLatin1Char('-'), Qt::SkipEmptyParts)) {
            loads.push_back(part.toDouble());
        }
    }
    if (!loads.empty()) {
        const auto [lo, hi] = std::minmax_element(loads.begin(), loads.end());
        line += QStringLiteral(". Machine load (1-minute loadavg, %1 CPUs) during the rows: "
                               "%2 to %3")
                    .arg(QThread::idealThreadCount())
                    .arg(*lo, 0, 'f', 1)
                    .arg(*hi, 0, 'f', 1);
    }
    return line + QLatin1Char('.');
}

QString kindName(Kind k)
{
    switch (k) {
    case Kind::Exact:
        return QStringLiteral("exact");
    case Kind::Statistical:
        return QStringLiteral("statistical");
    case Kind::Events:
        return QStringLiteral("events");
    }
    return QString();
}

QStringList toStringList(const QJsonValue &v)
{
    QStringList out;
    const QJsonArray a = v.toArray();
    for (const QJsonValue &x : a) {
        out << x.toString();
    }
    return out;
}

// "close_reasons.too_many_idle_host" -> the nested number; an absent map key
// is 0 (neither side lists reasons that never happened).
double valueAt(const QJsonObject &o, const QString &path)
{
    const QStringList parts = path.split(QLatin1Char('.'));
    QJsonValue v = o.value(parts.first());
    for (int i = 1; i < parts.size(); ++i) {
        // "protocols.HTTP/2.0": the rest of the path may be one key with a dot in it.
        const QJsonObject obj = v.toObject();
        const QString rest = parts.mid(i).join(QLatin1Char('.'));
        if (obj.contains(rest)) {
            v = obj.value(rest);
            break;
        }
        v = obj.value(parts[i]);
    }
    return v.isUndefined() || v.isNull() ? 0.0 : v.toDouble();
}

QString num(double v)
{
    return QString::number(v, 'g', 6);
}

// One key's value in every run, in run order.
std::vector<double> valuesAt(const std::vector<QJsonObject> &runs, const QString &key)
{
    std::vector<double> out;
    out.reserve(runs.size());
    for (const QJsonObject &r : runs) {
        out.push_back(valueAt(r, key));
    }
    return out;
}

// The distinct values, in order of first appearance: "4" or "6/4".
QString distinctValues(const std::vector<double> &values)
{
    QStringList out;
    for (double v : values) {
        if (!out.contains(num(v))) {
            out << num(v);
        }
    }
    return out.join(QLatin1Char('/'));
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    if (n == 0) {
        return 0;
    }
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void stopProcess(QProcess &p)
{
    if (p.state() == QProcess::NotRunning) {
        return;
    }
    p.terminate();
    if (!p.waitForFinished(3000)) {
        p.kill();
        p.waitForFinished(3000);
    }
}

// One nginx serving every distinct (keepalive_requests, keepalive_timeout,
// host index) the scenarios ask for, each on its own free loopback port.
class NginxFarm
{
public:
    static QString profileKey(const QJsonObject &server, int host)
    {
        return QStringLiteral("%1|%2|%3|%4|%5")
            .arg(server.value(QStringLiteral("keepalive_requests")).toInt(1000))
            .arg(server.value(QStringLiteral("keepalive_timeout")).toString(QStringLiteral("75s")))
            .arg(host)
            .arg(server.value(QStringLiteral("tls")).toString())
            .arg(server.value(QStringLiteral("http2_max_concurrent_streams")).toInt(128));
    }
    void want(const QJsonObject &server)
    {
        const int hosts = server.value(QStringLiteral("hosts")).toInt(1);
        for (int h = 0; h < hosts; ++h) {
            const QString key = profileKey(server, h);
            if (!m_profiles.contains(key)) {
                m_profiles.insert(key, server);
            }
        }
    }
    bool start(const QString &bin, QString *why)
    {
        std::vector<NginxProcess::Site> sites;
        for (auto it = m_profiles.begin(); it != m_profiles.end(); ++it) {
            m_site.insert(it.key(), sites.size());
            // "tls": "h1" or "h2" serves HTTPS with the test certificate (nginx.h).
            sites.push_back({ it.value().value(QStringLiteral("keepalive_requests")).toInt(1000),
                it.value()
                    .value(QStringLiteral("keepalive_timeout"))
                    .toString(QStringLiteral("75s")),
                it.value().value(QStringLiteral("tls")).toString(),
                it.value().value(QStringLiteral("http2_max_concurrent_streams")).toInt(128) });
        }
        return m_nginx.start(bin, sites, why);
    }
    QStringList urls(const QJsonObject &server) const
    {
        QStringList out;
        const int hosts = server.value(QStringLiteral("hosts")).toInt(1);
        for (int h = 0; h < hosts; ++h) {
            out << m_nginx.url(m_site.value(profileKey(server, h)));
        }
        return out;
    }

private:
    NginxProcess m_nginx;
    QHash<QString, std::size_t> m_site; // profile -> its site in m_nginx
    QHash<QString, QJsonObject> m_profiles;
};

// A server process that prints "listening on URL" as its first line
// (`poolscope serve`, `goref --serve-stale`).
class ServerProcess
{
public:
    bool start(const QString &program, const QStringList &args, QString *why)
    {
        m_proc.start(program, args);
        if (!m_proc.waitForStarted(5000)) {
            *why = QStringLiteral("%1 did not start: %2").arg(program, m_proc.errorString());
            return false;
        }
        QElapsedTimer t;
        t.start();
        static const QRegularExpression re(QStringLiteral("listening on (https?://\\S+)"));
        while (t.elapsed() < 10000) {
            if (m_proc.canReadLine()) {
                const QString line = QString::fromUtf8(m_proc.readLine()).trimmed();
                const auto m = re.match(line);
                if (m.hasMatch()) {
                    m_url = m.captured(1);
                    return true;
                }
                continue;
            }
            if (m_proc.state() != QProcess::Running) {
                break;
            }
            m_proc.waitForReadyRead(200);
        }
        *why = QStringLiteral("%1 %2 printed no \"listening on\" line: %3")
                   .arg(program, args.join(QLatin1Char(' ')),
                       QString::fromUtf8(m_proc.readAllStandardError()));
        return false;
    }
    QString url() const { return m_url; }
    ~ServerProcess() { stopProcess(m_proc); }

private:
    QProcess m_proc;
    QString m_url;
};

struct ClientRun
{
    QJsonObject json;
    QString error; // non-empty: the run itself failed
};

ClientRun runClient(const QString &program, const QStringList &args)
{
    ClientRun r;
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted(5000)) {
        r.error = QStringLiteral("%1 did not start: %2").arg(program, p.errorString());
        return r;
    }
    if (!p.waitForFinished(kClientTimeoutMs)) {
        p.kill();
        p.waitForFinished(3000);
        r.error = QStringLiteral("%1 timed out").arg(QFileInfo(program).fileName());
        return r;
    }
    const QByteArray out = p.readAllStandardOutput();
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(out.trimmed(), &pe);
    if (!doc.isObject()) {
        r.error = QStringLiteral("%1 %2: no JSON (exit %3): %4 %5")
                      .arg(QFileInfo(program).fileName(), args.join(QLatin1Char(' ')))
                      .arg(p.exitCode())
                      .arg(QString::fromUtf8(out.left(200)),
                          QString::fromUtf8(p.readAllStandardError().left(300)));
        return r;
    }
    r.json = doc.object();
    return r;
}

// The httptrace kinds both sides can show, in the order they happened, plus
// each connection's close reason. Closes are compared per connection rather
// than in the sequence: Go closes from its readLoop goroutine after it has
// already released the caller, so where a close lands relative to the next
// request's GetConn is a race inside Go itself.
struct Trace
{
    QStringList sequence;
    QStringList closes;
};

Trace readTrace(const QString &path, const QHash<QString, QString> &labelToKey, QString *error)
{
    Trace t;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("no event file %1").arg(path);
        return t;
    }
    static const QStringList kTraceKinds = { QStringLiteral("GetConn"),
        QStringLiteral("ConnectStart"), QStringLiteral("ConnectDone"), QStringLiteral("GotConn"),
        QStringLiteral("WroteRequest"), QStringLiteral("GotFirstResponseByte"),
        QStringLiteral("PutIdleConn") };
    std::map<qint64, QString> closes;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty()) {
            continue;
        }
        const QJsonObject e = QJsonDocument::fromJson(line).object();
        const QString type = e.value(QStringLiteral("type")).toString();
        QString reason = e.value(QStringLiteral("reason")).toString();
        reason = labelToKey.value(reason, reason); // ours writes labels, goref writes keys
        const qint64 conn = e.value(QStringLiteral("conn")).toInteger();
        if (type == QLatin1String("ConnClosed")) {
            if (reason != QLatin1String("transport_closed")) {
                closes[conn] = reason;
            }
            continue;
        }
        if (!kTraceKinds.contains(type)) {
            continue;
        }
        QString token = type;
        if (type == QLatin1String("GotConn")) {
            token += QStringLiteral("(c%1%2%3)")
                         .arg(conn)
                         .arg(e.value(QStringLiteral("reused")).toBool() ? QStringLiteral(",reused")
                                                                         : QString())
                         .arg(e.value(QStringLiteral("was_idle")).toBool()
                                 ? QStringLiteral(",wasIdle")
                                 : QString());
        } else if (type == QLatin1String("PutIdleConn") && !reason.isEmpty()) {
            token += QStringLiteral("(%1)").arg(reason);
        }
        t.sequence << token;
    }
    for (const auto &[conn, reason] : closes) {
        t.closes << QStringLiteral("c%1:%2").arg(conn).arg(reason);
    }
    return t;
}

// A sweep row stands for one row per combination of its variables: "sweep": {"vars":
// [{"name": "workers", "values": [3, 4]}, {"name": "cap", "from": 2, "to": "workers"}]}
// ("to"/"from": a number or an earlier variable's name). ${name} in the row's name, about,
// args, go_args, ours_args and the server's text fields is replaced by the value;
// "known_divergence" of the sweep maps an expanded name to its explanation (measured divergences,
// point by point).
std::vector<QJsonObject> expandSweep(const QJsonObject &row)
{
    const QJsonObject sweep = row.value(QStringLiteral("sweep")).toObject();
    if (sweep.isEmpty()) {
        return { row };
    }
    std::vector<std::vector<std::pair<QString, QString>>> combos { {} };
    const QJsonArray vars = sweep.value(QStringLiteral("vars")).toArray();
    for (const QJsonValue &vv : vars) {
        const QJsonObject var = vv.toObject();
        const QString name = var.value(QStringLiteral("name")).toString();
        std::vector<std::vector<std::pair<QString, QString>>> next;
        for (const auto &combo : combos) {
            const auto bound = [&combo](const QJsonValue &b) {
                if (b.isDouble()) {
                    return b.toInt();
                }
                for (const auto &[n, v] : combo) {
                    if (n == b.toString()) {
                        return v.toInt();
                    }
                }
                return 0;
            };
            QStringList values;
            if (var.contains(QStringLiteral("values"))) {
                for (const QJsonValue &x : var.value(QStringLiteral("values")).toArray()) {
                    values << (x.isDouble() ? QString::number(x.toInt()) : x.toString());
                }
            } else {
                const int to = bound(var.value(QStringLiteral("to")));
                for (int i = bound(var.value(QStringLiteral("from"))); i <= to; ++i) {
                    values << QString::number(i);
                }
            }
            for (const QString &v : std::as_const(values)) {
                auto c = combo;
                c.emplace_back(name, v);
                next.push_back(std::move(c));
            }
        }
        combos = std::move(next);
    }
    const QJsonObject known = sweep.value(QStringLiteral("known_divergence")).toObject();
    std::vector<QJsonObject> out;
    for (const auto &combo : combos) {
        const auto fill = [&combo](QString text) {
            for (const auto &[n, v] : combo) {
                text.replace(QStringLiteral("${%1}").arg(n), v);
            }
            return text;
        };
        QJsonObject o = row;
        o.remove(QStringLiteral("sweep"));
        o.insert(QStringLiteral("sweep_group"), row.value(QStringLiteral("name")));
        for (const char *key : { "name", "about" }) {
            o.insert(QLatin1String(key), fill(row.value(QLatin1String(key)).toString()));
        }
        for (const char *key : { "args", "go_args", "ours_args" }) {
            QJsonArray a;
            for (const QJsonValue &x : row.value(QLatin1String(key)).toArray()) {
                a.append(fill(x.toString()));
            }
            o.insert(QLatin1String(key), a);
        }
        QJsonObject server = row.value(QStringLiteral("server")).toObject();
        for (auto it = server.begin(); it != server.end(); ++it) {
            if (it->isString()) {
                *it = fill(it->toString());
            }
        }
        o.insert(QStringLiteral("server"), server);
        const QString name = o.value(QStringLiteral("name")).toString();
        if (known.contains(name)) {
            o.insert(QStringLiteral("known_divergence"), known.value(name));
        }
        out.push_back(o);
    }
    return out;
}

} // namespace

class TestConformance final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void scenario_data();
    void scenario();
    void cleanupTestCase();

private:
    bool prepareServer(const Scenario &s, std::vector<std::unique_ptr<ServerProcess>> *servers,
        QStringList *urls, QString *why);
    std::optional<ClientRun> runSide(
        const Scenario &s, bool go, const QString &eventsFile, QString *why);
    // s.runs runs of each side, Go first; false (row says ERROR and why) if one failed.
    bool runBoth(const Scenario &s, std::vector<QJsonObject> *goRuns,
        std::vector<QJsonObject> *ourRuns, Row *row);
    void runExact(const Scenario &s, Row *row);
    void runStatistical(const Scenario &s, Row *row);
    void runEvents(const Scenario &s, Row *row);
    void writeReport() const;

    QString m_go;
    QString m_nginx;
    QString m_poolscope;
    QString m_goref;
    QString m_skipReason;
    QTemporaryDir m_work;
    std::vector<Scenario> m_scenarios;
    std::unique_ptr<NginxFarm> m_nginxFarm;
    QHash<QString, QString> m_labelToKey;
    // POOLSCOPE_CONFORMANCE_RECORD=FILE: every row's runs (both sides) and load, written at the
    // end. POOLSCOPE_CONFORMANCE_REPLAY=FILE: rows found there are judged from those runs
    // instead of running again (the report re-rendered after a row's marker changed, from
    // the same measurements; events rows always run).
    QJsonObject m_record;
    QJsonObject m_replay;
    std::vector<Row> m_rows;
};

void TestConformance::initTestCase()
{
    QFile f(QStringLiteral(POOLSCOPE_SOURCE_DIR "/tests/conformance/scenarios.json"));
    QVERIFY2(f.open(QIODevice::ReadOnly), "tests/conformance/scenarios.json is missing");
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    QVERIFY2(doc.isObject(), qPrintable(pe.errorString()));
    const QJsonArray rows = doc.object().value(QStringLiteral("scenarios")).toArray();
    std::vector<QJsonObject> expanded;
    for (const QJsonValue &v : rows) {
        const std::vector<QJsonObject> e = expandSweep(v.toObject());
        expanded.insert(expanded.end(), e.begin(), e.end());
    }
    for (const QJsonObject &o : expanded) {
        Scenario s;
        s.name = o.value(QStringLiteral("name")).toString();
        const QString kind = o.value(QStringLiteral("kind")).toString();
        QVERIFY2(kind == QLatin1String("exact") || kind == QLatin1String("statistical")
                || kind == QLatin1String("events"),
            qPrintable(QStringLiteral("%1: unknown kind \"%2\"").arg(s.name, kind)));
        s.kind = kind == QLatin1String("exact")
            ? Kind::Exact
            : (kind == QLatin1String("statistical") ? Kind::Statistical : Kind::Events);
        s.about = o.value(QStringLiteral("about")).toString();
        s.why = o.value(QStringLiteral("why")).toString();
        s.pending = o.value(QStringLiteral("pending")).toString();
        s.knownDivergence = o.value(QStringLiteral("known_divergence")).toString();
        s.server = o.value(QStringLiteral("server")).toObject();
        s.args = toStringList(o.value(QStringLiteral("args")));
        s.goArgs = toStringList(o.value(QStringLiteral("go_args")));
        s.oursArgs = toStringList(o.value(QStringLiteral("ours_args")));
        s.keys = toStringList(o.value(QStringLiteral("keys")));
        s.runs = o.value(QStringLiteral("runs"))
                     .toInt(s.kind == Kind::Statistical ? kDefaultStatRuns : kDefaultExactRuns);
        s.tolerance = o.value(QStringLiteral("tolerance")).toDouble(0.0);
        s.slack = o.value(QStringLiteral("slack")).toDouble(0.0);
        s.compareMedians = o.value(QStringLiteral("compare")).toString() == QLatin1String("median");
        s.sweepOnly = o.value(QStringLiteral("sweep_only")).toBool(false);
        s.loadNote = o.value(QStringLiteral("load_dependent")).toString();
        s.sweepGroup = o.value(QStringLiteral("sweep_group")).toString();
        QVERIFY2(!s.name.isEmpty(), "a scenario without a name");
        QVERIFY2(s.kind == Kind::Events || !s.keys.isEmpty(),
            qPrintable(s.name + QStringLiteral(": no keys to compare")));
        m_scenarios.push_back(s);
    }
    QVERIFY2(m_scenarios.size() >= 20, "the issue asks for at least 20 scenarios");

    for (int i = 1; i < kCloseReasonCount; ++i) {
        const auto r = static_cast<CloseReason>(i);
        m_labelToKey.insert(QString::fromLatin1(closeReasonLabel(r).data(),
                                static_cast<qsizetype>(closeReasonLabel(r).size())),
            QString::fromLatin1(
                closeReasonKey(r).data(), static_cast<qsizetype>(closeReasonKey(r).size())));
    }

    const QString replay = qEnvironmentVariable("POOLSCOPE_CONFORMANCE_REPLAY");
    if (!replay.isEmpty()) {
        QFile rf(replay);
        QVERIFY2(rf.open(QIODevice::ReadOnly), qPrintable(replay + QStringLiteral(" is missing")));
        m_replay = QJsonDocument::fromJson(rf.readAll()).object();
    }
    m_go = qEnvironmentVariable("POOLSCOPE_GO");
    m_nginx = qEnvironmentVariable("POOLSCOPE_NGINX");
    m_poolscope = qEnvironmentVariable("POOLSCOPE_BIN");
    if (m_go.isEmpty() || !QFile::exists(m_go)) {
        m_skipReason = QStringLiteral("go not installed (POOLSCOPE_GO unset): no referee");
        return;
    }
    if (m_nginx.isEmpty() || !QFile::exists(m_nginx)) {
        m_skipReason = QStringLiteral("nginx not installed (POOLSCOPE_NGINX unset)");
        return;
    }
    if (m_poolscope.isEmpty() || !QFile::exists(m_poolscope)) {
        m_skipReason = QStringLiteral("poolscope binary not built (POOLSCOPE_BIN)");
        return;
    }

    // Build the referee offline: no modules, caches inside the build tree, so it
    // works as any user on a machine without network or $HOME.
    const QString goDir = QStringLiteral(POOLSCOPE_BINARY_DIR "/goref");
    QDir().mkpath(goDir);
    m_goref = goDir + QStringLiteral("/goref");
    const testsupport::GoBuild b = testsupport::goBuild(
        m_go, QStringLiteral(POOLSCOPE_SOURCE_DIR "/tests/goref"), goDir, m_goref);
    QVERIFY2(b.ok, qPrintable(QStringLiteral("go build of tests/goref failed: ") + b.output));

    m_nginxFarm = std::make_unique<NginxFarm>();
    for (const Scenario &s : m_scenarios) {
        if (s.server.value(QStringLiteral("type")).toString() == QLatin1String("nginx")) {
            m_nginxFarm->want(s.server);
        }
    }
    QString why;
    QVERIFY2(m_nginxFarm->start(m_nginx, &why), qPrintable(why));
}

void TestConformance::scenario_data()
{
    QTest::addColumn<int>("index");
    for (std::size_t i = 0; i < m_scenarios.size(); ++i) {
        QTest::newRow(qPrintable(m_scenarios[i].name)) << static_cast<int>(i);
    }
}

bool TestConformance::prepareServer(const Scenario &s,
    std::vector<std::unique_ptr<ServerProcess>> *servers, QStringList *urls, QString *why)
{
    const QString type = s.server.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("nginx")) {
        *urls = m_nginxFarm->urls(s.server);
        return true;
    }
    // Embedded and stale servers are fresh for every run: their counters and
    // random draws (fixed seed) start over, so both sides meet the same server.
    // "hosts": N starts N of them, N pool keys.
    const int hosts = std::max(1, s.server.value(QStringLiteral("hosts")).toInt(1));
    for (int h = 0; h < hosts; ++h) {
        auto server = std::make_unique<ServerProcess>();
        bool ok = false;
        if (type == QLatin1String("serve")) {
            ok = server->start(m_poolscope,
                QStringList { QStringLiteral("serve") }
                    + toStringList(s.server.value(QStringLiteral("args"))),
                why);
        } else if (type == QLatin1String("stale")) {
            ok = server->start(m_goref, { QStringLiteral("--serve-stale") }, why);
        } else {
            *why = QStringLiteral("unknown server type \"%1\"").arg(type);
        }
        if (!ok) {
            return false;
        }
        urls->append(server->url());
        servers->push_back(std::move(server));
    }
    return true;
}

std::optional<ClientRun> TestConformance::runSide(
    const Scenario &s, bool go, const QString &eventsFile, QString *why)
{
    std::vector<std::unique_ptr<ServerProcess>> servers;
    QStringList urls;
    if (!prepareServer(s, &servers, &urls, why)) {
        return std::nullopt;
    }
    QStringList args;
    if (go) {
        args << QStringLiteral("--json");
    } else {
        args << QStringLiteral("run") << QStringLiteral("--json") << QStringLiteral("--no-kernel");
    }
    for (const QString &u : std::as_const(urls)) {
        args << QStringLiteral("--url") << u;
    }
    args += s.args;
    args += go ? s.goArgs : s.oursArgs;
    if (!eventsFile.isEmpty()) {
        args << QStringLiteral("--events") << eventsFile;
    }
    ClientRun r = runClient(go ? m_goref : m_poolscope, args);
    if (!r.error.isEmpty()) {
        *why = r.error;
        return std::nullopt;
    }
    return r;
}

bool TestConformance::runBoth(const Scenario &s, std::vector<QJsonObject> *goRuns,
    std::vector<QJsonObject> *ourRuns, Row *row)
{
    const QJsonObject replayed = m_replay.value(s.name).toObject();
    if (!replayed.isEmpty()) {
        for (const QJsonValue &v : replayed.value(QStringLiteral("go")).toArray()) {
            goRuns->push_back(v.toObject());
        }
        for (const QJsonValue &v : replayed.value(QStringLiteral("ours")).toArray()) {
            ourRuns->push_back(v.toObject());
        }
        row->load = replayed.value(QStringLiteral("load")).toString();
        m_record.insert(s.name, replayed);
        return !goRuns->empty() && goRuns->size() == ourRuns->size();
    }
    QString why;
    QJsonArray goArray;
    QJsonArray ourArray;
    for (int i = 0; i < s.runs; ++i) {
        const auto g = runSide(s, true, QString(), &why);
        const auto o = g ? runSide(s, false, QString(), &why) : std::nullopt;
        if (!g || !o) {
            row->verdict = QStringLiteral("ERROR");
            row->note = why;
            return false;
        }
        goRuns->push_back(g->json);
        ourRuns->push_back(o->json);
        goArray.append(g->json);
        ourArray.append(o->json);
    }
    m_record.insert(s.name,
        QJsonObject { { QStringLiteral("go"), goArray }, { QStringLiteral("ours"), ourArray } });
    return true;
}

void TestConformance::runExact(const Scenario &s, Row *row)
{
    std::vector<QJsonObject> goRuns;
    std::vector<QJsonObject> ourRuns;
    if (!runBoth(s, &goRuns, &ourRuns, row)) {
        return;
    }
    QStringList goText;
    QStringList ourText;
    QStringList problems;
    for (const QString &key : s.keys) {
        const std::vector<double> gv = valuesAt(goRuns, key);
        const std::vector<double> ov = valuesAt(ourRuns, key);
        const double want = gv.front();
        const auto isWant = [want](double v) {
            return v == want;
        };
        const QString goVals = distinctValues(gv);
        const QString ours = distinctValues(ov);
        goText << QStringLiteral("%1 %2").arg(key, goVals);
        ourText << QStringLiteral("%1 %2").arg(key, ours);
        if (!std::all_of(gv.begin(), gv.end(), isWant)) {
            problems << QStringLiteral("Go itself varies on %1 (%2): not an exact scenario")
                            .arg(key, goVals);
        } else if (!std::all_of(ov.begin(), ov.end(), isWant)) {
            problems << QStringLiteral("%1: Go %2, PoolScope %3").arg(key, num(want), ours);
        }
    }
    row->go = goText.join(QStringLiteral(", "));
    row->ours = ourText.join(QStringLiteral(", "));
    row->verdict = problems.isEmpty() ? QStringLiteral("PASS") : QStringLiteral("FAIL");
    row->note = problems.join(QStringLiteral("; "));
}

void TestConformance::runStatistical(const Scenario &s, Row *row)
{
    std::vector<QJsonObject> goRuns;
    std::vector<QJsonObject> ourRuns;
    if (!runBoth(s, &goRuns, &ourRuns, row)) {
        return;
    }
    QStringList goText;
    QStringList ourText;
    QStringList problems;
    for (const QString &key : s.keys) {
        const std::vector<double> gv = valuesAt(goRuns, key);
        const std::vector<double> ov = valuesAt(ourRuns, key);
        const auto [gmin, gmax] = std::minmax_element(gv.begin(), gv.end());
        const double gm = median(gv);
        const double lo = s.compareMedians ? gm - std::max(s.slack, s.tolerance * gm)
                                           : *gmin - std::max(s.slack, s.tolerance * *gmin);
        const double hi = s.compareMedians ? gm + std::max(s.slack, s.tolerance * gm)
                                           : *gmax + std::max(s.slack, s.tolerance * *gmax);
        const double m = median(ov);
        const auto [omin, omax] = std::minmax_element(ov.begin(), ov.end());
        goText << QStringLiteral("%1 %2..%3 (median %4)").arg(key, num(*gmin), num(*gmax), num(gm));
        ourText << QStringLiteral("%1 median %2 (%3..%4)").arg(key, num(m), num(*omin), num(*omax));
        if (m < lo || m > hi) {
            problems << QStringLiteral("%1: PoolScope median %2 outside [%3, %4] (%5)")
                            .arg(key, num(m), num(lo), num(hi),
                                s.compareMedians ? QStringLiteral("Go's median with the tolerance")
                                                 : QStringLiteral("Go's range widened"));
        }
    }
    row->go = goText.join(QStringLiteral(", "));
    row->ours = ourText.join(QStringLiteral(", "));
    row->verdict = problems.isEmpty() ? QStringLiteral("PASS") : QStringLiteral("FAIL");
    row->note = problems.join(QStringLiteral("; "));
    if (problems.isEmpty()) {
        row->note = QStringLiteral("%1 runs each, interleaved; %2 tolerance max(%3%, %4)")
                        .arg(s.runs)
                        .arg(s.compareMedians ? QStringLiteral("medians within")
                                              : QStringLiteral("Go's range widened by"))
                        .arg(s.tolerance * 100)
                        .arg(s.slack);
    }
    if (!s.loadNote.isEmpty()) {
        row->note += QStringLiteral(". Load: ") + s.loadNote;
    }
}

void TestConformance::runEvents(const Scenario &s, Row *row)
{
    const QString goFile = m_work.filePath(s.name + QStringLiteral(".go.ndjson"));
    const QString ourFile = m_work.filePath(s.name + QStringLiteral(".ours.ndjson"));
    QString why;
    if (!runSide(s, true, goFile, &why) || !runSide(s, false, ourFile, &why)) {
        row->verdict = QStringLiteral("ERROR");
        row->note = why;
        return;
    }
    const Trace g = readTrace(goFile, m_labelToKey, &why);
    const Trace o = readTrace(ourFile, m_labelToKey, &why);
    if (!why.isEmpty()) {
        row->verdict = QStringLiteral("ERROR");
        row->note = why;
        return;
    }
    auto summary = [](const Trace &t) {
        const auto count = [&](const QString &prefix) {
            return std::count_if(t.sequence.begin(), t.sequence.end(),
                [&](const QString &e) { return e.startsWith(prefix); });
        };
        return QStringLiteral("%1 events: %2 GetConn, %3 dials, %4 idle reuses, %5 PutIdleConn; "
                              "closes: %6")
            .arg(t.sequence.size())
            .arg(count(QStringLiteral("GetConn")))
            .arg(count(QStringLiteral("ConnectStart")))
            .arg(t.sequence.filter(QStringLiteral(",wasIdle")).size())
            .arg(count(QStringLiteral("PutIdleConn")))
            .arg(t.closes.isEmpty() ? QStringLiteral("none") : t.closes.join(QLatin1Char(' ')));
    };
    row->go = summary(g);
    row->ours = summary(o);
    row->detail = QStringLiteral("Go:        %1\nPoolScope: %2")
                      .arg(g.sequence.join(QLatin1Char(' ')), o.sequence.join(QLatin1Char(' ')));
    QStringList problems;
    if (g.sequence != o.sequence) {
        qsizetype i = 0;
        while (i < g.sequence.size() && i < o.sequence.size() && g.sequence[i] == o.sequence[i]) {
            ++i;
        }
        problems << QStringLiteral("sequences differ at event %1: Go %2, PoolScope %3")
                        .arg(i + 1)
                        .arg(i < g.sequence.size() ? g.sequence[i] : QStringLiteral("(end)"),
                            i < o.sequence.size() ? o.sequence[i] : QStringLiteral("(end)"));
    }
    if (g.closes != o.closes) {
        problems << QStringLiteral("closes differ");
    }
    row->verdict = problems.isEmpty() ? QStringLiteral("PASS") : QStringLiteral("FAIL");
    row->note = problems.join(QStringLiteral("; "));
}

void TestConformance::scenario()
{
    QFETCH(int, index);
    if (!m_skipReason.isEmpty()) {
        QSKIP(qPrintable(m_skipReason));
    }
    const Scenario &s = m_scenarios[static_cast<std::size_t>(index)];
    Row row;
    row.name = s.name;
    row.kind = kindName(s.kind);
    row.about = s.about;
    row.why = s.why;
    row.group = s.sweepGroup;
    if (!s.pending.isEmpty()) {
        row.verdict = QStringLiteral("PENDING");
        row.note = s.pending;
        m_rows.push_back(row);
        QSKIP(qPrintable(QStringLiteral("pending: ") + s.pending));
    }
    if (s.sweepOnly && qEnvironmentVariableIntValue("POOLSCOPE_CONFORMANCE_SWEEP") == 0) {
        QSKIP("sweep row: scripts/conformance.sh runs it (POOLSCOPE_CONFORMANCE_SWEEP=1)");
    }
    QElapsedTimer t;
    t.start();
    const double loadBefore = loadAverage();
    switch (s.kind) {
    case Kind::Exact:
        runExact(s, &row);
        break;
    case Kind::Statistical:
        runStatistical(s, &row);
        break;
    case Kind::Events:
        runEvents(s, &row);
        break;
    }
    if (row.load.isEmpty()) { // not replayed
        row.load = QStringLiteral("%1-%2").arg(loadBefore, 0, 'f', 1).arg(loadAverage(), 0, 'f', 1);
        if (m_record.contains(s.name)) {
            QJsonObject rec = m_record.value(s.name).toObject();
            rec.insert(QStringLiteral("load"), row.load);
            m_record.insert(s.name, rec);
        }
    }
    const bool known = !s.knownDivergence.isEmpty() && row.verdict == QLatin1String("FAIL");
    if (known) {
        row.verdict = QStringLiteral("KNOWN DIVERGENCE");
        row.note += QStringLiteral(". Why: ") + s.knownDivergence;
    } else if (!s.knownDivergence.isEmpty() && row.verdict == QLatin1String("PASS")) {
        // Inside Go's range this time, but the distributions are known to differ: not
        // counted as agreeing (the summary line says so).
        row.verdict = QStringLiteral("KNOWN DIVERGENCE (inside Go's range this run)");
        row.note = QStringLiteral("Why: ") + s.knownDivergence;
    }
    m_rows.push_back(row);
    if (!row.detail.isEmpty()) {
        qInfo("%s", qPrintable(row.detail));
    }
    qInfo("%-34s %-11s %-5s %5.1fs load %s\n  Go:        %s\n  PoolScope: %s%s%s",
        qPrintable(s.name), qPrintable(row.kind), qPrintable(row.verdict),
        static_cast<double>(t.elapsed()) / 1000.0, qPrintable(row.load), qPrintable(row.go),
        qPrintable(row.ours), row.note.isEmpty() ? "" : "\n  note:      ", qPrintable(row.note));
    if (!s.knownDivergence.isEmpty()) {
        // Reported, not hidden: XFAIL in the output and in the table, with the reason,
        // also in a run where the numbers happened to land inside Go's range.
        QEXPECT_FAIL("", qPrintable(s.knownDivergence), Continue);
    }
    QVERIFY2(row.verdict == QLatin1String("PASS"), qPrintable(row.note));
}

void TestConformance::cleanupTestCase()
{
    m_nginxFarm.reset();
    const QString record = qEnvironmentVariable("POOLSCOPE_CONFORMANCE_RECORD");
    if (!record.isEmpty() && !m_record.isEmpty()) {
        QFile rf(record);
        if (rf.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            rf.write(QJsonDocument(m_record).toJson(QJsonDocument::Compact));
        }
    }
    if (m_rows.empty()) {
        return;
    }
    QString table = QStringLiteral("\n%1 %2 %3\n")
                        .arg(QStringLiteral("scenario"), -34)
                        .arg(QStringLiteral("kind"), -12)
                        .arg(QStringLiteral("verdict"));
    for (const Row &r : m_rows) {
        table += QStringLiteral("%1 %2 %3\n    Go        %4\n    PoolScope %5\n")
                     .arg(r.name, -34)
                     .arg(r.kind, -12)
                     .arg(r.verdict, r.go, r.ours);
    }
    table += summaryLine(m_rows) + QLatin1Char('\n');
    qInfo("%s", qPrintable(table));
    writeReport();
}

void TestConformance::writeReport() const
{
    const QString path = qEnvironmentVariable("POOLSCOPE_CONFORMANCE_REPORT");
    if (path.isEmpty()) {
        return;
    }
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        qWarning("cannot write %s", qPrintable(path));
        return;
    }
    auto cell = [](QString s) {
        return s.replace(QLatin1Char('|'), QStringLiteral("\\|"));
    };
    QString md;
    md += summaryLine(m_rows) + QStringLiteral("\n\n");
    const auto table = [&](const QString &group) {
        QString t
            = QStringLiteral("| scenario | kind | Go 1.19 net/http | PoolScope | load | verdict |\n"
                             "|---|---|---|---|---|---|\n");
        for (const Row &r : m_rows) {
            if (r.group != group) {
                continue;
            }
            QString verdict = r.verdict;
            if (!r.note.isEmpty()) {
                verdict += QStringLiteral(": ") + r.note;
            }
            t += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 |\n")
                     .arg(cell(r.name), r.kind, cell(r.go), cell(r.ours), r.load, cell(verdict));
        }
        return t;
    };
    md += table(QString());
    QStringList groups;
    for (const Row &r : m_rows) {
        if (!r.group.isEmpty() && !groups.contains(r.group)) {
            groups << r.group;
        }
    }
    for (const QString &g : std::as_const(groups)) {
        std::vector<Row> rows;
        std::copy_if(m_rows.begin(), m_rows.end(), std::back_inserter(rows),
            [&g](const Row &r) { return r.group == g; });
        md += QStringLiteral("\n## Sweep %1\n\n%2\n\n").arg(g, summaryLine(rows)) + table(g);
    }
    md += QStringLiteral("\n## Scenarios\n\n| scenario | what runs | why this comparison |\n"
                         "|---|---|---|\n");
    for (const Row &r : m_rows) {
        if (r.group.isEmpty()) {
            md += QStringLiteral("| %1 | %2 | %3 |\n")
                      .arg(cell(r.name), cell(r.about), cell(r.why));
        }
    }
    md += QStringLiteral("\n## Event sequences\n");
    for (const Row &r : m_rows) {
        if (!r.detail.isEmpty()) {
            md += QStringLiteral("\n%1 (%2)\n```\n%3\n```\n").arg(r.name, r.about, r.detail);
        }
    }
    f.write(md.toUtf8());
}

QTEST_GUILESS_MAIN(TestConformance)

#include "tst_conformance.moc"
