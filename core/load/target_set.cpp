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

bool TargetSet::buildRequests(const RequestSpec &spec, QString *error)
{
    std::vector<std::shared_ptr<const RequestTemplate>> built;
    built.reserve(m_slots.size());
    for (const TargetSlot &slot : m_slots) {
        auto t = RequestTemplate::build(slot.target, spec, error);
        if (!t) {
            return false;
        }
        built.push_back(std::make_shared<const RequestTemplate>(std::move(*t)));
    }
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
        if (!m_slots[i].request) {
            m_slots[i].request = std::make_shared<RequestSource>();
        }
        m_slots[i].request->current = std::move(built[i]);
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
