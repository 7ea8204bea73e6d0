#include "redirect_follower.h"

namespace poolscope {

void RedirectFollower::reset(Transport *transport, const RequestSpec &spec)
{
    m_transport = transport;
    m_chains.clear();
    m_hosts.clear();
    setSpec(spec);
}

void RedirectFollower::setSpec(const RequestSpec &spec)
{
    m_spec = spec;
    m_hopSources.clear();
}

void RedirectFollower::clear()
{
    m_chains.clear();
}

RedirectFollower::Chain *RedirectFollower::chainOf(int caller)
{
    const auto i = static_cast<std::size_t>(caller);
    return caller >= 0 && i < m_chains.size() && m_chains[i].active ? &m_chains[i] : nullptr;
}

const RedirectFollower::Chain *RedirectFollower::chainOf(int caller) const
{
    const auto i = static_cast<std::size_t>(caller);
    return caller >= 0 && i < m_chains.size() && m_chains[i].active ? &m_chains[i] : nullptr;
}

void RedirectFollower::begin(
    int caller, const Target &target, const RoundTripRequest &first, TimePoint now)
{
    if (caller < 0) {
        return;
    }
    if (static_cast<std::size_t>(caller) >= m_chains.size()) {
        m_chains.resize(static_cast<std::size_t>(caller) + 1);
    }
    Chain &c = m_chains[static_cast<std::size_t>(caller)];
    c.active = true;
    c.target = target;
    // The caller's own request: the mixed share's method and body may differ from m_spec's.
    const RequestTemplate *sent = first.source ? first.source->current.get() : nullptr;
    c.method = sent ? sent->method() : m_spec.method;
    c.firstMethod = c.method;
    c.firstHasBody = sent ? sent->hasBody() : m_spec.bodySize > 0;
    c.hops = 0;
    c.start = now;
    c.trip = 0;
    c.first = first;
    c.slurping = false;
    c.slurpingTo.clear();
}

void RedirectFollower::setTrip(int caller, RoundTripId trip)
{
    if (Chain *c = chainOf(caller)) {
        c->trip = trip;
    }
}

BodyHandling RedirectFollower::bodyHandling(int caller, const ResponseHead &head, BodyPolicy policy)
{
    Chain *c = chainOf(caller);
    if (!c || head.location.isEmpty() || !redirectBehavior(c->method, head.status).follow) {
        return { policy };
    }
    // Client.do: a Location that does not parse closes the body unread (resp.closeBody);
    // otherwise (also for the 11th redirect, or a hop that cannot be sent) "read at least
    // some of the body so if it's small the underlying TCP connection will be re-used".
    const RedirectLocation location = resolveRedirect(c->target, head.location);
    if (!location.parsed) {
        return { BodyPolicy::CloseEarly };
    }
    c->slurping = true;
    c->slurpingTo = location.target ? location.target->display : QString();
    return { BodyPolicy::ReadToEof, kMaxRedirectBodySlurp };
}

RedirectFollower::Step RedirectFollower::finish(
    Chain &chain, RequestFailure failure, const QString &message, TimePoint now)
{
    Step s;
    s.failure = failure;
    s.message = message;
    s.latency = now - chain.start;
    chain.active = false;
    return s;
}

RedirectFollower::Step RedirectFollower::next(
    int caller, const RoundTripResult &r, bool mayFollow, TimePoint now)
{
    Chain *chain = chainOf(caller);
    if (!chain) {
        return Step { std::nullopt, r.failure, r.message, r.latency };
    }
    Chain &c = *chain;
    const RedirectBehavior behavior = redirectBehavior(c.method, r.head.status);
    if (r.failure != RequestFailure::None || !mayFollow || !behavior.follow
        || r.head.location.isEmpty()) {
        return finish(c, r.failure, r.message, now); // the response is the caller's
    }
    const QString op = goUrlErrorOp(c.firstMethod);
    const auto urlError = [&op](const QString &url, const QString &error) {
        return QStringLiteral("%1 \"%2\": %3").arg(op, url, error);
    };
    const RedirectLocation location = resolveRedirect(c.target, r.head.location);
    if (!location.parsed) {
        return finish(
            c, RequestFailure::BadRedirect, urlError(c.target.display, location.error), now);
    }
    if (c.hops + 1 >= kMaxRedirects) {
        // defaultCheckRedirect: len(via), the requests made so far, has reached 10. Its
        // error names the Location as the server sent it.
        return finish(c, RequestFailure::TooManyRedirects,
            urlError(QString::fromLatin1(r.head.location),
                QStringLiteral("stopped after %1 redirects").arg(kMaxRedirects)),
            now);
    }
    if (!location.target) {
        return finish(c, RequestFailure::BadRedirect, urlError(location.url, location.error), now);
    }
    HostId host = 0;
    QString error;
    const auto source = hopSource(c, behavior, *location.target, &host, &error);
    if (!source) {
        return finish(
            c, RequestFailure::DialFailed, urlError(location.target->display, error), now);
    }
    Step s;
    s.hop = c.first;
    s.hop->host = host;
    s.hop->source = source;
    c.target = *location.target;
    c.method = behavior.method;
    ++c.hops;
    c.trip = 0;
    c.slurping = false;
    c.slurpingTo.clear();
    return s;
}

std::shared_ptr<const RequestSource> RedirectFollower::hopSource(const Chain &from,
    const RedirectBehavior &behavior, const Target &next, HostId *host, QString *error)
{
    if (!m_hosts.contains(next.poolKey)) {
        if (m_hosts.size() >= TargetSet::kMaxTargets) {
            *error = QStringLiteral("redirects reached more than %1 hosts in this run")
                         .arg(TargetSet::kMaxTargets);
            return nullptr;
        }
        QHostAddress address;
        if (!resolveTargetAddress(next, &address, error)) {
            return nullptr;
        }
        m_hosts.insert(next.poolKey,
            m_transport->addHost(
                next.poolKey, Endpoint { address, next.port, next.tls, next.host }));
    }
    *host = m_hosts.value(next.poolKey);

    const QByteArray referer = redirectReferer(from.target, next);
    const bool body = behavior.includeBody && from.firstHasBody; // 307/308 resend the body
    const QString key = QStringLiteral("%1 %2 %3 %4")
                            .arg(QString::fromLatin1(behavior.method))
                            .arg(body ? 1 : 0)
                            .arg(QString::fromUtf8(referer), next.display);
    if (const auto cached = m_hopSources.value(key)) {
        return cached;
    }
    // Go's makeHeadersCopier: the first request's headers, the sensitive ones only to the
    // same host or a subdomain of the previous hop's; then Referer, which replaces one the
    // caller set.
    RequestSpec spec = m_spec;
    spec.method = behavior.method;
    spec.bodySize = body ? m_spec.bodySize : 0;
    spec.extraHeaders.clear();
    for (const auto &[name, value] : m_spec.extraHeaders) {
        const bool replaced = !referer.isEmpty() && canonicalHeaderKey(name) == "Referer";
        if (!replaced && shouldCopyHeaderOnRedirect(name, from.target, next)) {
            spec.extraHeaders.append({ name, value });
        }
    }
    if (!referer.isEmpty()) {
        spec.extraHeaders.append({ QByteArrayLiteral("Referer"), referer });
    }
    auto request = RequestTemplate::build(next, spec, error);
    if (!request) {
        return nullptr;
    }
    auto source = std::make_shared<RequestSource>();
    source->current = std::make_shared<const RequestTemplate>(std::move(*request));
    if (static_cast<std::size_t>(m_hopSources.size()) >= kMaxCachedHops) {
        m_hopSources.clear();
    }
    m_hopSources.insert(key, source);
    return source;
}

RoundTripId RedirectFollower::currentTrip(int caller, RoundTripId fallback) const
{
    const Chain *c = chainOf(caller);
    return c && c->trip != 0 ? c->trip : fallback;
}

QString RedirectFollower::currentUrl(int caller) const
{
    const Chain *c = chainOf(caller);
    if (!c) {
        return {};
    }
    return c->slurping && !c->slurpingTo.isEmpty() ? c->slurpingTo : c->target.display;
}

bool RedirectFollower::readingRedirectBody(int caller) const
{
    const Chain *c = chainOf(caller);
    return c && c->slurping;
}

} // namespace poolscope
