#pragma once

#include "http/redirect.h"
#include "http/request_writer.h"
#include "load/target_set.h"
#include "load/transport.h"

#include <QHash>
#include <memory>
#include <optional>
#include <vector>

namespace poolscope {

// Go's http.Client redirect loop (client.go, Client.do) for the callers of a run, on the
// caller's side of the Transport: a caller's Do is a chain of round trips, one per hop,
// each its own pool request, possibly to another pool key. It says which responses are
// followed and what happens to their bodies (read up to 2 KiB, then closed), builds the
// next hop's request (redirectBehavior's method and body, the caller's headers as
// makeHeadersCopier copies them, Referer) and ends the chain where Go does: a response
// that is not a followed redirect, an error, too many redirects ("stopped after 10
// redirects", which Go says when a Do has made 10 requests: 9 redirects are followed, the
// 10th fails), a Location that does not parse or leads nowhere dialable. The chain
// shares the first request's deadline (Client.Timeout covers every hop).
// Lives in the engine thread; one per Engine, reset for each run.
class RedirectFollower final
{
public:
    // Different redirect URLs (and so hop requests) kept built at once; more and the cache
    // starts over. Distinct pool keys reached by redirects: TargetSet::kMaxTargets.
    static constexpr std::size_t kMaxCachedHops = 1024;

    // A caller's Do after one of its round trips.
    struct Step
    {
        std::optional<RoundTripRequest> hop; // set: send it, the Do goes on
        RequestFailure failure = RequestFailure::None; // otherwise how the Do ended
        QString message;
        Duration latency { 0 }; // since the Do began
    };

    // A new run on `transport` (redirects to other pool keys are added to it), its
    // callers' requests made from `spec`.
    void reset(Transport *transport, const RequestSpec &spec);
    // The run's request changed mid-run: hops built from now on follow it.
    void setSpec(const RequestSpec &spec);
    // Forgets every chain (the run ended).
    void clear();

    // A caller's Do starts with `first` (host, source, policy, deadline, tag) to `target`.
    void begin(int caller, const Target &target, const RoundTripRequest &first, TimePoint now);
    // The round trip now carrying the caller's Do.
    void setTrip(int caller, RoundTripId trip);
    // What the caller does with a response body (RoundTripHandler::onResponseHead): a
    // followed redirect's is read up to 2 KiB and closed (closed at once when Location
    // does not parse), any other goes by the caller's policy.
    [[nodiscard]] BodyHandling bodyHandling(
        int caller, const ResponseHead &head, BodyPolicy policy);
    // The caller's round trip `r` is over: the next hop, or how the Do ended. No hop unless
    // `mayFollow` (the run is being wound up).
    [[nodiscard]] Step next(int caller, const RoundTripResult &r, bool mayFollow, TimePoint now);

    // The round trip in flight for the caller's Do, `fallback` when it has none.
    [[nodiscard]] RoundTripId currentTrip(int caller, RoundTripId fallback) const;
    // The URL the caller's Do is at now ("" when none), for Client.Timeout's url.Error: while
    // a redirect's body is read, the next hop's (Go: the read fails quietly, the next
    // request fails on the expired context).
    [[nodiscard]] QString currentUrl(int caller) const;
    // The caller's Do is reading a redirect's body, not the caller its final response's.
    [[nodiscard]] bool readingRedirectBody(int caller) const;

private:
    struct Chain
    {
        bool active = false; // the caller is in the middle of a Do
        Target target; // the current hop's URL
        QByteArray method; // the current hop's method
        QByteArray firstMethod; // reqs[0].Method: the verb of the Do's url.Error
        bool firstHasBody = false; // reqs[0] had a body (307 and 308 send it again)
        int hops = 0; // redirects followed
        TimePoint start { 0 };
        RoundTripId trip = 0;
        RoundTripRequest first;
        bool slurping = false; // reading a followed redirect's body
        QString slurpingTo; // ... which leads there ("" when it leads nowhere dialable)
    };

    // The caller's chain if it is in a Do, else null.
    [[nodiscard]] Chain *chainOf(int caller);
    [[nodiscard]] const Chain *chainOf(int caller) const;
    // Ends the chain: the step for the Do's outcome.
    static Step finish(Chain &chain, RequestFailure failure, const QString &message, TimePoint now);
    // The request source of a hop (built once per method, body, Referer and URL); null with
    // *error when the hop cannot be made (no address, too many hosts, an invalid request).
    std::shared_ptr<const RequestSource> hopSource(const Chain &from,
        const RedirectBehavior &behavior, const Target &next, HostId *host, QString *error);

    Transport *m_transport = nullptr;
    RequestSpec m_spec;
    std::vector<Chain>
        m_chains; // by caller, grown to the highest caller seen (no allocation per Do)
    QHash<QString, std::shared_ptr<const RequestSource>> m_hopSources;
    QHash<QString, HostId> m_hosts; // by pool key
};

} // namespace poolscope
