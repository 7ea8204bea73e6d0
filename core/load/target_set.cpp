#include "target_set.h"

#include <QHostInfo>

namespace poolscope {

bool resolveTargetAddress(const Target &target, QHostAddress *address, QString *error)
{
    if (address->setAddress(target.host)) {
        return true; // an IP literal
    }
    const QHostInfo info = QHostInfo::fromName(target.host);
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        *error = QStringLiteral("dial tcp: lookup %1: %2").arg(target.host, info.errorString());
        return false;
    }
    *address = info.addresses().constFirst();
    for (const QHostAddress &a : info.addresses()) {
        if (a.protocol() == QAbstractSocket::IPv4Protocol) {
            *address = a;
            break;
        }
    }
    return true;
}

std::optional<TargetSet> TargetSet::resolve(const QStringList &urls, QString *error)
{
    QString why;
    if (urls.size() > kMaxTargets) {
        *error = QStringLiteral("at most %1 target URLs, got %2").arg(kMaxTargets).arg(urls.size());
        return std::nullopt;
    }
    TargetSet set;
    for (const QString &url : urls) {
        TargetSlot slot;
        auto target = parseTarget(url, &why);
        if (!target) {
            *error = urls.size() > 1 ? url + QStringLiteral(": ") + why : why;
            return std::nullopt;
        }
        slot.target = *target;
        if (!resolveTargetAddress(slot.target, &slot.address, error)) {
            return std::nullopt;
        }
        set.m_slots.push_back(std::move(slot));
    }
    return set;
}

bool TargetSet::buildRequests(const RequestSpec &spec, const RequestSpec &mixSpec, QString *error)
{
    using Built = std::shared_ptr<const RequestTemplate>;
    const auto build = [error](const Target &target, const RequestSpec &s) -> Built {
        auto t = RequestTemplate::build(target, s, error);
        return t ? std::make_shared<const RequestTemplate>(std::move(*t)) : nullptr;
    };
    std::vector<std::pair<Built, Built>> built;
    built.reserve(m_slots.size());
    for (const TargetSlot &slot : m_slots) {
        Built main = build(slot.target, spec);
        Built mixed = mixSpec == spec || !main ? main : build(slot.target, mixSpec);
        if (!mixed) {
            return false;
        }
        built.emplace_back(std::move(main), std::move(mixed));
    }
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
        TargetSlot &slot = m_slots[i];
        if (!slot.request) {
            slot.request = std::make_shared<RequestSource>();
            slot.mixRequest = std::make_shared<RequestSource>();
        }
        slot.request->current = std::move(built[i].first);
        slot.mixRequest->current = std::move(built[i].second);
    }
    return true;
}

QString TargetSet::display() const
{
    if (m_slots.empty()) {
        return {};
    }
    QString s = m_slots.front().target.display;
    if (m_slots.size() > 1) {
        s += QStringLiteral(" (+%1 more)").arg(m_slots.size() - 1);
    }
    return s;
}

} // namespace poolscope
