#pragma once

#include "http/request_writer.h"
#include "http/target.h"
#include "load/transport.h"

#include <QHostAddress>
#include <QStringList>
#include <memory>
#include <optional>
#include <vector>

namespace poolscope {

// One target URL (one pool key) of a run.
struct TargetSlot
{
    Target target;
    QHostAddress address; // resolved once per run
    HostId host = 0; // its pool key in the run's Transport
    std::shared_ptr<RequestSource> request; // what its workers send, rebuilt in place
    // What the mixed share of its workers sends (LoadConfig::mixMethod); the same
    // template as `request` when the share's request does not differ.
    std::shared_ptr<RequestSource> mixRequest;
};

// The address a target's connections dial: an IP literal as it is, a name through DNS
// (IPv4 preferred). false and *error, Go-worded ("dial tcp: lookup ..."), when it fails.
bool resolveTargetAddress(const Target &target, QHostAddress *address, QString *error);

// The run's target URLs, parsed and resolved: worker i loads slot i % size().
class TargetSet final
{
public:
    static constexpr int kMaxTargets = 1024;

    // Parses and resolves every URL (DNS once per run; the pool key stays the URL's
    // host:port, IPv4 preferred). nullopt and *error, Go-worded, on the first bad one.
    [[nodiscard]] static std::optional<TargetSet> resolve(const QStringList &urls, QString *error);

    // (Re)builds every slot's request, and its mixed share's from `mixSpec`; round trips
    // already made send the new one from then on. On failure the slots keep their old
    // requests.
    bool buildRequests(const RequestSpec &spec, const RequestSpec &mixSpec, QString *error);

    [[nodiscard]] std::vector<TargetSlot> &slots() { return m_slots; }
    [[nodiscard]] const TargetSlot &front() const { return m_slots.front(); }
    [[nodiscard]] const TargetSlot &forWorker(int worker) const
    {
        return m_slots[static_cast<std::size_t>(worker) % m_slots.size()];
    }
    // "url" or "url (+N more)", for the snapshot.
    [[nodiscard]] QString display() const;

private:
    std::vector<TargetSlot> m_slots;
};

} // namespace poolscope
