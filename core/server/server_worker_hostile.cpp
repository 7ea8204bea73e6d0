// ServerWorker's hostile responses (ServerConfig::hostile): the plan from
// hostile_responses.h carried out on one connection. Kept apart from
// server_worker.cpp, which only calls in at the request and on the wake-up.
#include "pool/clock.h"
#include "server/server_worker.h"

#include <sys/socket.h>

namespace poolscope {

void ServerWorker::startHostile(Connection *c, HostileMode mode)
{
    ++m_shared->requests;
    c->hostile = std::make_unique<HostileRun>();
    c->hostile->plan = hostilePlan(mode, m_responses->config(), &m_random);
    c->busy = true;
    c->stash = QByteArray(); // no further request is served here
    m_idle.remove(c);
    setReading(c, true); // notice the client's close while the plan runs or hangs
    runHostile(c);
}

void ServerWorker::runHostile(Connection *c)
{
    using Action = HostileStep::Action;
    while (c->hostile && !c->finished && !c->closing) {
        HostileRun &run = *c->hostile;
        if (run.next >= run.plan.steps.size())
            return; // hanging: the client's close ends it (processInput)
        const HostileStep &step = run.plan.steps[run.next++];
        switch (step.action) {
        case Action::Send:
            send(c, step.bytes);
            break;
        case Action::Wait:
            armConnectionTimer(c,
                saturatingAdd(
                    Clock::now(), std::chrono::duration_cast<Clock::duration>(step.wait)));
            return;
        case Action::Close:
            closeByServer(c, false);
            return;
        case Action::Reset:
            resetByServer(c);
            return;
        case Action::Hang:
            run.next = run.plan.steps.size();
            return;
        }
    }
}

void ServerWorker::resetByServer(Connection *c)
{
    if (c->closing || c->finished)
        return;
    c->closing = true;
    c->hostile.reset();
    ++m_shared->closedByServer;
    if (c->fd >= 0) {
        // close() with a zero linger time sends an RST instead of a FIN.
        const linger now { 1, 0 };
        ::setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
    }
    abortConnection(c);
}

} // namespace poolscope
