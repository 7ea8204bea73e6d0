#include "settings_panel.h"

#include "knob_widget.h"

#include <QGroupBox>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

namespace poolscope {

namespace {

using Kind = KnobSpec::Kind;

double toSeconds(Duration d)
{
    return std::chrono::duration<double>(d).count();
}
double toMillis(Duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}
Duration fromSeconds(double s)
{
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}
Duration fromMillis(double ms)
{
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(ms));
}

KnobSpec number(QString key, QString goField, QString help, double min, double max, double def,
    QString unit, int decimals = 0)
{
    KnobSpec s;
    s.key = std::move(key);
    s.goField = std::move(goField);
    s.help = std::move(help);
    s.min = min;
    s.max = max;
    s.defaultValue = def;
    s.unit = std::move(unit);
    s.decimals = decimals;
    return s;
}

KnobSpec toggle(QString key, QString goField, QString help, bool def)
{
    KnobSpec s;
    s.key = std::move(key);
    s.goField = std::move(goField);
    s.help = std::move(help);
    s.kind = Kind::Toggle;
    s.min = 0;
    s.max = 1;
    s.defaultValue = def ? 1 : 0;
    return s;
}

KnobSpec local(KnobSpec s)
{
    s.goKnob = false;
    return s;
}

std::function<QString(double)> zeroMeans(QString zero, QString negative = {})
{
    return [zero = std::move(zero), negative = std::move(negative)](double v) -> QString {
        if (v == 0) {
            return zero;
        }
        if (v < 0 && !negative.isEmpty()) {
            return negative;
        }
        return {};
    };
}

QGroupBox *group(QVBoxLayout *layout, const QString &title, const QString &subtitle)
{
    auto *box = new QGroupBox(title);
    auto *v = new QVBoxLayout(box);
    v->setSpacing(4);
    if (!subtitle.isEmpty()) {
        auto *note = new QLabel(subtitle);
        note->setWordWrap(true);
        note->setStyleSheet(QStringLiteral("color: #555;"));
        v->addWidget(note);
    }
    layout->addWidget(box);
    return box;
}

} // namespace

SettingsPanel::SettingsPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    const TransportConfig def = TransportConfig::goDefault();
    const LoadConfig loadDef;
    const ServerConfig serverDef;

    // ---- http.Transport ----
    QGroupBox *t = group(layout, QStringLiteral("Transport (http.Transport)"),
        QStringLiteral("Hover a knob for its Go field and what zero means. ↺ resets to Go's "
                       "http.DefaultTransport value."));
    {
        KnobSpec s
            = number(QStringLiteral("MaxIdleConns"), QStringLiteral("http.Transport.MaxIdleConns"),
                QStringLiteral(
                    "Idle connections kept across all hosts; beyond it the oldest idle one is "
                    "closed (errTooManyIdle). 0 = no limit."),
                0, 1000, def.maxIdleConns, QStringLiteral("conns"));
        s.meaning = zeroMeans(QStringLiteral("0 = no limit across hosts"));
        add(
            t, Section::Transport, s,
            [](const SettingsPanel &p) { return p.m_transport.maxIdleConns; },
            [](SettingsPanel &p, double v) { p.m_transport.maxIdleConns = int(v); });
    }
    {
        KnobSpec s = number(QStringLiteral("MaxIdleConnsPerHost"),
            QStringLiteral("http.Transport.MaxIdleConnsPerHost"),
            QStringLiteral(
                "Idle connections kept per host. A connection returned when the host "
                "already has this many idle is closed (errTooManyIdleHost): the cause of "
                "the TIME_WAIT storm. 0 = DefaultMaxIdleConnsPerHost (2); negative = keep "
                "none."),
            -1, 100, def.maxIdleConnsPerHost, QStringLiteral("conns"));
        s.meaning = [](double v) -> QString {
            if (v == 0) {
                return QStringLiteral("0 means 2 (DefaultMaxIdleConnsPerHost)");
            }
            if (v < 0) {
                return QStringLiteral("negative: never keep a connection idle");
            }
            return {};
        };
        // Markers show what the pool enforces: "MaxIdleConnsPerHost 0 (=2) -> 10".
        s.valueText = [](double v) -> QString {
            return v == 0 ? QStringLiteral("0 (=2)") : QString();
        };
        add(
            t, Section::Transport, s,
            [](const SettingsPanel &p) { return p.m_transport.maxIdleConnsPerHost; },
            [](SettingsPanel &p, double v) { p.m_transport.maxIdleConnsPerHost = int(v); });
    }
    {
        KnobSpec s = number(QStringLiteral("MaxConnsPerHost"),
            QStringLiteral("http.Transport.MaxConnsPerHost"),
            QStringLiteral(
                "Dialing + active + idle connections per host. Requests beyond it wait for "
                "a connection or a dial slot. 0 = unlimited."),
            0, 200, def.maxConnsPerHost, QStringLiteral("conns"));
        s.meaning = zeroMeans(QStringLiteral("0 = unlimited"));
        add(
            t, Section::Transport, s,
            [](const SettingsPanel &p) { return p.m_transport.maxConnsPerHost; },
            [](SettingsPanel &p, double v) { p.m_transport.maxConnsPerHost = int(v); });
    }
    {
        KnobSpec s = number(QStringLiteral("IdleConnTimeout"),
            QStringLiteral("http.Transport.IdleConnTimeout"),
            QStringLiteral("How long a connection may sit idle in the pool before it is closed. "
                           "0 = forever."),
            0, 600, toSeconds(def.idleConnTimeout), QStringLiteral("s"), 1);
        s.meaning = zeroMeans(QStringLiteral("0 = idle connections never time out"));
        add(
            t, Section::Transport, s,
            [](const SettingsPanel &p) { return toSeconds(p.m_transport.idleConnTimeout); },
            [](SettingsPanel &p, double v) { p.m_transport.idleConnTimeout = fromSeconds(v); });
    }
    add(
        t, Section::Transport,
        toggle(QStringLiteral("DisableKeepAlives"),
            QStringLiteral("http.Transport.DisableKeepAlives"),
            QStringLiteral("Send \"Connection: close\" and use every connection for one request."),
            def.disableKeepAlives),
        [](const SettingsPanel &p) { return p.m_transport.disableKeepAlives ? 1.0 : 0.0; },
        [](SettingsPanel &p, double v) { p.m_transport.disableKeepAlives = v != 0; });
    {
        KnobSpec s = number(QStringLiteral("ResponseHeaderTimeout"),
            QStringLiteral("http.Transport.ResponseHeaderTimeout"),
            QStringLiteral(
                "Time from the request being written to the response headers. 0 = none."),
            0, 60000, toMillis(def.responseHeaderTimeout), QStringLiteral("ms"));
        s.meaning = zeroMeans(QStringLiteral("0 = no timeout"));
        add(
            t, Section::Transport, s,
            [](const SettingsPanel &p) { return toMillis(p.m_transport.responseHeaderTimeout); },
            [](SettingsPanel &p, double v) {
                p.m_transport.responseHeaderTimeout = fromMillis(v);
            });
    }
    {
        KnobSpec s = number(QStringLiteral("TLSHandshakeTimeout"),
            QStringLiteral("http.Transport.TLSHandshakeTimeout"),
            QStringLiteral("Limit for the TLS handshake of a new connection. 0 = none."), 0, 60,
            toSeconds(def.tlsHandshakeTimeout), QStringLiteral("s"), 1);
        s.meaning = zeroMeans(QStringLiteral("0 = no timeout"));
        add(
            t, Section::Transport, s,
            [](const SettingsPanel &p) { return toSeconds(p.m_transport.tlsHandshakeTimeout); },
            [](SettingsPanel &p, double v) { p.m_transport.tlsHandshakeTimeout = fromSeconds(v); });
    }
    {
        KnobSpec s = number(QStringLiteral("ExpectContinueTimeout"),
            QStringLiteral("http.Transport.ExpectContinueTimeout"),
            QStringLiteral("With \"Expect: 100-continue\", how long to wait for the server's "
                           "go-ahead before sending the body. 0 = send the body at once."),
            0, 10, toSeconds(def.expectContinueTimeout), QStringLiteral("s"), 1);
        s.meaning = zeroMeans(QStringLiteral("0 = send the body at once"));
        add(
            t, Section::Transport, s,
            [](const SettingsPanel &p) { return toSeconds(p.m_transport.expectContinueTimeout); },
            [](SettingsPanel &p, double v) {
                p.m_transport.expectContinueTimeout = fromSeconds(v);
            });
    }
    add(
        t, Section::Transport,
        toggle(QStringLiteral("InsecureSkipVerify"),
            QStringLiteral("http.Transport.TLSClientConfig.InsecureSkipVerify"),
            QStringLiteral("Accept any server certificate. Needed for the embedded server's HTTPS "
                           "test certificate; never in production."),
            def.insecureSkipVerify),
        [](const SettingsPanel &p) { return p.m_transport.insecureSkipVerify ? 1.0 : 0.0; },
        [](SettingsPanel &p, double v) { p.m_transport.insecureSkipVerify = v != 0; });

    // ---- net.Dialer ----
    QGroupBox *d = group(layout, QStringLiteral("Dialer (net.Dialer)"), QString());
    {
        KnobSpec s = number(QStringLiteral("Dialer.Timeout"), QStringLiteral("net.Dialer.Timeout"),
            QStringLiteral(
                "Limit for establishing a TCP connection. 0 = none (the OS's own limit)."),
            0, 120, toSeconds(def.dialTimeout), QStringLiteral("s"), 1);
        s.meaning = zeroMeans(QStringLiteral("0 = no timeout (the OS limit applies)"));
        add(
            d, Section::Transport, s,
            [](const SettingsPanel &p) { return toSeconds(p.m_transport.dialTimeout); },
            [](SettingsPanel &p, double v) { p.m_transport.dialTimeout = fromSeconds(v); });
    }
    {
        KnobSpec s = number(QStringLiteral("Dialer.KeepAlive"),
            QStringLiteral("net.Dialer.KeepAlive"),
            QStringLiteral("TCP keep-alive period of new connections (idle time before the first "
                           "probe). 0 = 15 s; negative = keep-alive off."),
            -1, 7200, toSeconds(def.keepAlive), QStringLiteral("s"));
        s.meaning = zeroMeans(QStringLiteral("0 means 15 s (Go's default)"),
            QStringLiteral("negative: TCP keep-alive off"));
        add(
            d, Section::Transport, s,
            [](const SettingsPanel &p) { return toSeconds(p.m_transport.keepAlive); },
            [](SettingsPanel &p, double v) {
                p.m_transport.keepAlive = v < 0 ? Duration(-1) : fromSeconds(v);
            });
    }
    add(
        d, Section::Transport,
        toggle(QStringLiteral("KeepAliveConfig.Enable"),
            QStringLiteral("net.Dialer.KeepAliveConfig.Enable (Go 1.23+)"),
            QStringLiteral("Use the Idle/Interval/Count below instead of Dialer.KeepAlive."),
            false),
        [](const SettingsPanel &p) { return p.m_transport.keepAliveConfig.enable ? 1.0 : 0.0; },
        [](SettingsPanel &p, double v) { p.m_transport.keepAliveConfig.enable = v != 0; });
    {
        KnobSpec s = number(QStringLiteral("KeepAliveConfig.Idle"),
            QStringLiteral("net.Dialer.KeepAliveConfig.Idle (Go 1.23+, TCP_KEEPIDLE)"),
            QStringLiteral(
                "Idle time before the first keep-alive probe. 0 = 15 s; negative = leave "
                "the kernel's setting."),
            -1, 7200, 0, QStringLiteral("s"));
        s.meaning
            = zeroMeans(QStringLiteral("0 means 15 s"), QStringLiteral("negative: kernel default"));
        add(
            d, Section::Transport, s,
            [](const SettingsPanel &p) { return toSeconds(p.m_transport.keepAliveConfig.idle); },
            [](SettingsPanel &p, double v) {
                p.m_transport.keepAliveConfig.idle = v < 0 ? Duration(-1) : fromSeconds(v);
            });
    }
    {
        KnobSpec s = number(QStringLiteral("KeepAliveConfig.Interval"),
            QStringLiteral("net.Dialer.KeepAliveConfig.Interval (Go 1.23+, TCP_KEEPINTVL)"),
            QStringLiteral(
                "Time between unanswered probes. 0 = 15 s; negative = leave the kernel's "
                "setting."),
            -1, 600, 0, QStringLiteral("s"));
        s.meaning
            = zeroMeans(QStringLiteral("0 means 15 s"), QStringLiteral("negative: kernel default"));
        add(
            d, Section::Transport, s,
            [](const SettingsPanel &p) {
                return toSeconds(p.m_transport.keepAliveConfig.interval);
            },
            [](SettingsPanel &p, double v) {
                p.m_transport.keepAliveConfig.interval = v < 0 ? Duration(-1) : fromSeconds(v);
            });
    }
    {
        KnobSpec s = number(QStringLiteral("KeepAliveConfig.Count"),
            QStringLiteral("net.Dialer.KeepAliveConfig.Count (Go 1.23+, TCP_KEEPCNT)"),
            QStringLiteral("Unanswered probes before the kernel drops the connection. 0 = 9; "
                           "negative = leave the kernel's setting."),
            -1, 30, 0, QStringLiteral("probes"));
        s.meaning
            = zeroMeans(QStringLiteral("0 means 9"), QStringLiteral("negative: kernel default"));
        add(
            d, Section::Transport, s,
            [](const SettingsPanel &p) { return p.m_transport.keepAliveConfig.count; },
            [](SettingsPanel &p, double v) { p.m_transport.keepAliveConfig.count = int(v); });
    }

    // ---- http.Client ----
    QGroupBox *c = group(layout, QStringLiteral("Client (http.Client)"), QString());
    {
        KnobSpec s = number(QStringLiteral("Client.Timeout"), QStringLiteral("http.Client.Timeout"),
            QStringLiteral("Limit for a whole exchange: dial, headers and body. 0 = none."), 0, 300,
            toSeconds(def.clientTimeout), QStringLiteral("s"), 1);
        s.meaning = zeroMeans(QStringLiteral("0 = no timeout"));
        add(
            c, Section::Transport, s,
            [](const SettingsPanel &p) { return toSeconds(p.m_transport.clientTimeout); },
            [](SettingsPanel &p, double v) { p.m_transport.clientTimeout = fromSeconds(v); });
    }

    // ---- load ----
    QGroupBox *l = group(layout, QStringLiteral("Load"), QStringLiteral("What the callers do."));
    add(
        l, Section::Load,
        local(number(QStringLiteral("workers"), QStringLiteral("load: concurrent workers"),
            QStringLiteral("Goroutines calling the target in a loop (closed loop)."), 1, 200,
            loadDef.workers, QStringLiteral("workers"))),
        [](const SettingsPanel &p) { return p.m_load.workers; },
        [](SettingsPanel &p, double v) { p.m_load.workers = int(v); });
    {
        KnobSpec s = local(number(QStringLiteral("rate"), QStringLiteral("load: target rate"),
            QStringLiteral(
                "Requests per second over all workers. 0 = as fast as responses come back."),
            0, 20000, loadDef.rate, QStringLiteral("req/s")));
        s.meaning = zeroMeans(QStringLiteral("0 = closed loop, no rate limit"));
        add(
            l, Section::Load, s, [](const SettingsPanel &p) { return p.m_load.rate; },
            [](SettingsPanel &p, double v) { p.m_load.rate = v; });
    }
    {
        KnobSpec s = local(number(QStringLiteral("think time"),
            QStringLiteral("load: pause between requests"),
            QStringLiteral("Each worker pauses this long after a response; its connection sits in "
                           "the pool meanwhile."),
            0, 5000, toMillis(loadDef.think), QStringLiteral("ms"), 1));
        // Measured (tests/conformance, no-think rows): back-to-back callers churn in Go only
        // when a second P returns connections while a caller waits; one event loop is one P.
        s.meaning = zeroMeans(QStringLiteral(
            "0 = back to back: churns like Go with GOMAXPROCS=1; Go with more Ps churns more"));
        add(
            l, Section::Load, s, [](const SettingsPanel &p) { return toMillis(p.m_load.think); },
            [](SettingsPanel &p, double v) { p.m_load.think = fromMillis(v); });
    }
    {
        KnobSpec s = local(KnobSpec {});
        s.key = QStringLiteral("timers");
        s.goField = QStringLiteral("time.Sleep");
        s.help = QStringLiteral(
            "How think time wakes a worker. Go runtime: like time.Sleep in a Go program, waits "
            "in whole milliseconds (a 1 ms think sleeps about 1-2 ms), which decides how often "
            "a worker finds an idle connection. Precise: to the nanosecond. Rate slots are "
            "always exact.");
        s.kind = Kind::Choice;
        s.choices = { QStringLiteral("Go runtime"), QStringLiteral("precise") };
        s.max = 1;
        add(
            l, Section::Load, s,
            [](const SettingsPanel &p) { return double(static_cast<int>(p.m_load.timers)); },
            [](SettingsPanel &p, double v) { p.m_load.timers = static_cast<TimerModel>(int(v)); });
    }
    {
        KnobSpec s = local(KnobSpec {});
        s.key = QStringLiteral("method");
        s.goField = QStringLiteral("http.Request.Method");
        s.help = QStringLiteral("GET and HEAD are retried on a stale connection; POST is not.");
        s.kind = Kind::Choice;
        s.choices = { QStringLiteral("GET"), QStringLiteral("HEAD"), QStringLiteral("POST") };
        s.max = 2;
        add(
            l, Section::Load, s,
            [](const SettingsPanel &p) {
                const int i = QStringList { "GET", "HEAD", "POST" }.indexOf(
                    QString::fromLatin1(p.m_load.method));
                return i < 0 ? 0.0 : double(i);
            },
            [](SettingsPanel &p, double v) {
                p.m_load.method = QByteArrayList { "GET", "HEAD", "POST" }.value(int(v), "GET");
            });
    }
    {
        KnobSpec s = local(KnobSpec {});
        s.key = QStringLiteral("body policy");
        s.goField = QStringLiteral("resp.Body handling");
        s.help
            = QStringLiteral("read: io.ReadAll then Close (reusable). close-early: Close without "
                             "reading, Go closes the connection. leak: never Close, the "
                             "connection stays busy for good.");
        s.kind = Kind::Choice;
        s.choices = { QStringLiteral("read to EOF"), QStringLiteral("close early"),
            QStringLiteral("leak (never close)") };
        s.max = 2;
        add(
            l, Section::Load, s,
            [](const SettingsPanel &p) { return double(static_cast<int>(p.m_load.bodyPolicy)); },
            [](SettingsPanel &p, double v) {
                p.m_load.bodyPolicy = static_cast<BodyPolicy>(int(v));
            });
    }
    add(
        l, Section::Load,
        local(number(QStringLiteral("run length"), QStringLiteral("load: duration"),
            QStringLiteral("The run stops by itself after this long."), 1, 3600, 300,
            QStringLiteral("s"))),
        [](const SettingsPanel &p) { return toSeconds(p.m_load.duration); },
        [](SettingsPanel &p, double v) { p.m_load.duration = fromSeconds(v); });

    // ---- embedded server ----
    QGroupBox *sv = group(layout, QStringLiteral("Embedded server"),
        QStringLiteral(
            "The target PoolScope starts on 127.0.0.1. Changes apply to its next request."));
    add(
        sv, Section::Server,
        local(number(QStringLiteral("server latency"), QStringLiteral("server: response latency"),
            QStringLiteral("Time the server takes to answer each request."), 0, 2000,
            toMillis(serverDef.latency), QStringLiteral("ms"), 1)),
        [](const SettingsPanel &p) { return toMillis(p.m_server.latency); },
        [](SettingsPanel &p, double v) { p.m_server.latency = fromMillis(v); });
    add(
        sv, Section::Server,
        local(number(QStringLiteral("server jitter"), QStringLiteral("server: latency jitter"),
            QStringLiteral("Latency varies uniformly by ± this much."), 0, 1000,
            toMillis(serverDef.jitter), QStringLiteral("ms"), 1)),
        [](const SettingsPanel &p) { return toMillis(p.m_server.jitter); },
        [](SettingsPanel &p, double v) { p.m_server.jitter = fromMillis(v); });
    add(
        sv, Section::Server,
        local(number(QStringLiteral("body size"), QStringLiteral("server: response body size"),
            QStringLiteral("Bytes in each response body."), 0, 10 * 1024 * 1024, serverDef.bodySize,
            QStringLiteral("bytes"))),
        [](const SettingsPanel &p) { return p.m_server.bodySize; },
        [](SettingsPanel &p, double v) { p.m_server.bodySize = int(v); });
    {
        KnobSpec s = local(number(QStringLiteral("server idle timeout"),
            QStringLiteral("server: keep-alive idle timeout (nginx keepalive_timeout)"),
            QStringLiteral(
                "The server closes a connection idle this long. Shorter than the client's "
                "IdleConnTimeout means stale pooled connections. 0 = never."),
            0, 120000, toMillis(serverDef.idleTimeout), QStringLiteral("ms")));
        s.meaning = zeroMeans(QStringLiteral("0 = the server never closes idle connections"));
        add(
            sv, Section::Server, s,
            [](const SettingsPanel &p) { return toMillis(p.m_server.idleTimeout); },
            [](SettingsPanel &p, double v) { p.m_server.idleTimeout = fromMillis(v); });
    }
    {
        KnobSpec s = local(number(QStringLiteral("max requests per connection"),
            QStringLiteral("server: keepalive_requests (nginx)"),
            QStringLiteral("The server closes a connection after this many requests, saying "
                           "\"Connection: close\" on the last. 0 = unlimited."),
            0, 1000, serverDef.maxRequestsPerConn, QStringLiteral("req")));
        s.meaning = zeroMeans(QStringLiteral("0 = unlimited"));
        add(
            sv, Section::Server, s,
            [](const SettingsPanel &p) { return p.m_server.maxRequestsPerConn; },
            [](SettingsPanel &p, double v) { p.m_server.maxRequestsPerConn = int(v); });
    }
    add(
        sv, Section::Server,
        local(number(QStringLiteral("close probability"),
            QStringLiteral("server: Connection: close probability"),
            QStringLiteral("Share of responses that say \"Connection: close\" and close."), 0, 100,
            serverDef.closeProbability * 100, QStringLiteral("%"))),
        [](const SettingsPanel &p) { return p.m_server.closeProbability * 100; },
        [](SettingsPanel &p, double v) { p.m_server.closeProbability = v / 100.0; });
    add(
        sv, Section::Server,
        local(toggle(QStringLiteral("HTTP/1.0"), QStringLiteral("server: answer HTTP/1.0"),
            QStringLiteral(
                "HTTP/1.0 responses without keep-alive: the client cannot reuse the connection."),
            serverDef.http10)),
        [](const SettingsPanel &p) { return p.m_server.http10 ? 1.0 : 0.0; },
        [](SettingsPanel &p, double v) { p.m_server.http10 = v != 0; });
    add(
        sv, Section::Server,
        local(number(QStringLiteral("header delay"), QStringLiteral("server: delay before headers"),
            QStringLiteral("Time before the status line and headers go out (try it with "
                           "ResponseHeaderTimeout)."),
            0, 60000, toMillis(serverDef.headerDelay), QStringLiteral("ms"))),
        [](const SettingsPanel &p) { return toMillis(p.m_server.headerDelay); },
        [](SettingsPanel &p, double v) { p.m_server.headerDelay = fromMillis(v); });
    add(
        sv, Section::Server,
        local(
            toggle(QStringLiteral("TLS"), QStringLiteral("server: HTTPS with the test certificate"),
                QStringLiteral("Serve HTTPS (applies at the next Start; the client needs "
                               "InsecureSkipVerify for the test certificate)."),
                serverDef.tls)),
        [](const SettingsPanel &p) { return p.m_server.tls ? 1.0 : 0.0; },
        [](SettingsPanel &p, double v) { p.m_server.tls = v != 0; });

    layout->addStretch(1);
    refreshKnobs();
}

KnobWidget *SettingsPanel::add(QWidget *group, Section section, const KnobSpec &spec,
    std::function<double(const SettingsPanel &)> read,
    std::function<void(SettingsPanel &, double)> write)
{
    auto *knob = new KnobWidget(spec, group);
    group->layout()->addWidget(knob);
    const QString key = spec.key;
    m_knobs.insert(key, knob);
    m_bindings.insert(key, Binding { section, std::move(read), std::move(write) });
    m_order << key;
    connect(knob, &KnobWidget::valueEdited, this, [this, key, knob](double now, double old) {
        const Binding &b = m_bindings[key];
        b.write(*this, now);
        Q_EMIT knobEdited(b.section, key, knob->displayText(old), knob->displayText(now));
    });
    return knob;
}

void SettingsPanel::setConfigs(
    const TransportConfig &transport, const LoadConfig &load, const ServerConfig &server)
{
    m_transport = transport;
    m_load = load;
    m_server = server;
    refreshKnobs();
}

void SettingsPanel::refreshKnobs()
{
    for (const QString &key : std::as_const(m_order)) {
        m_knobs[key]->setValue(m_bindings[key].read(*this));
    }
}

KnobWidget *SettingsPanel::knob(const QString &key) const
{
    return m_knobs.value(key, nullptr);
}

} // namespace poolscope
