#include "os/process.h"

#include <QSocketNotifier>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace poolscope {

namespace {

// The one TerminationSignals' socket pair and the handlers it replaced.
int g_fds[2] = { -1, -1 };
struct sigaction g_previousInt = {};
struct sigaction g_previousTerm = {};

void onSignal(int signal)
{
    const int savedErrno = errno;
    const char byte = static_cast<char>(signal);
    [[maybe_unused]] const auto written = ::write(g_fds[1], &byte, 1);
    errno = savedErrno;
}

} // namespace

bool raiseOpenFileLimit(std::uint64_t atLeast)
{
    rlimit limit = {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return false;
    }
    const rlim_t want = std::max(limit.rlim_max, static_cast<rlim_t>(atLeast));
    if (limit.rlim_cur >= want) {
        return true;
    }
    limit.rlim_cur = want;
    limit.rlim_max = want;
    return ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

TerminationSignals::TerminationSignals(QObject *parent) : QObject(parent)
{
    Q_ASSERT(g_fds[0] < 0); // one instance at a time
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, g_fds) != 0) {
        g_fds[0] = g_fds[1] = -1;
        return;
    }
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, &g_previousInt);
    ::sigaction(SIGTERM, &action, &g_previousTerm);
    m_notifier = new QSocketNotifier(g_fds[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        char byte = 0;
        while (::read(g_fds[0], &byte, 1) == 1) {
            Q_EMIT received(static_cast<unsigned char>(byte));
        }
    });
}

TerminationSignals::~TerminationSignals()
{
    if (!m_notifier) {
        return;
    }
    ::sigaction(SIGINT, &g_previousInt, nullptr);
    ::sigaction(SIGTERM, &g_previousTerm, nullptr);
    delete m_notifier;
    ::close(g_fds[0]);
    ::close(g_fds[1]);
    g_fds[0] = g_fds[1] = -1;
}

} // namespace poolscope
