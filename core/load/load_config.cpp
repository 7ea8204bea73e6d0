#include "load_config.h"

namespace poolscope {

QStringList LoadConfig::targets() const
{
    if (!urls.isEmpty()) {
        return urls;
    }
    return url.isEmpty() ? QStringList() : QStringList { url };
}

void LoadConfig::setTargets(const QStringList &targets)
{
    url = targets.value(0);
    urls = targets.size() >= 2 ? targets : QStringList();
}

void LoadConfig::setFirstTarget(const QString &first)
{
    if (urls.value(0) != first) {
        urls.clear();
    }
    url = first;
}

QByteArray LoadConfig::mixedMethod() const
{
    return mixMethod.isEmpty() ? method : mixMethod;
}

int LoadConfig::mixedRequestBodySize() const
{
    const QByteArray m = mixedMethod();
    if (m == method) {
        return requestBodySize; // the same request as the others
    }
    return m == "GET" || m == "HEAD" ? 0 : requestBodySize;
}

const char *bodyPolicyName(BodyPolicy p)
{
    switch (p) {
    case BodyPolicy::ReadToEof:
        return "read";
    case BodyPolicy::CloseEarly:
        return "close-early";
    case BodyPolicy::Leak:
        return "leak";
    }
    return "read";
}

bool parseBodyPolicy(const QString &text, BodyPolicy *out)
{
    for (BodyPolicy p : { BodyPolicy::ReadToEof, BodyPolicy::CloseEarly, BodyPolicy::Leak }) {
        if (text == QLatin1String(bodyPolicyName(p))) {
            *out = p;
            return true;
        }
    }
    return false;
}

const char *timerModelName(TimerModel m)
{
    return m == TimerModel::Precise ? "precise" : "go";
}

bool parseTimerModel(const QString &text, TimerModel *out)
{
    for (TimerModel m : { TimerModel::Go, TimerModel::Precise }) {
        if (text == QLatin1String(timerModelName(m))) {
            *out = m;
            return true;
        }
    }
    return false;
}

const char *arrivalModelName(ArrivalModel m)
{
    switch (m) {
    case ArrivalModel::Go:
        return "go";
    case ArrivalModel::Poisson:
        return "poisson";
    case ArrivalModel::Exact:
        return "exact";
    }
    return "go";
}

bool parseArrivalModel(const QString &text, ArrivalModel *out)
{
    for (ArrivalModel m : { ArrivalModel::Go, ArrivalModel::Poisson, ArrivalModel::Exact }) {
        if (text == QLatin1String(arrivalModelName(m))) {
            *out = m;
            return true;
        }
    }
    return false;
}

} // namespace poolscope
