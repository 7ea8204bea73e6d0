#pragma once

// A valid value for each knob that differs from its Go default (and, for
// every knob whose default is zero, from zero), so a surface that dropped or
// swapped a knob shows. Shared by the tests that walk the knob table.
#include "scenario/knob_table.h"

namespace poolscope::testsupport {

inline KnobValue otherKnobValue(const Knob &k)
{
    const KnobValue def = knobGoDefault(k);
    switch (k.kind) {
    case KnobKind::Int: {
        const qint64 v = std::get<qint64>(def);
        return v + 1 <= k.max ? v + 1 : v - 1;
    }
    case KnobKind::Real: {
        const double v = std::get<double>(def);
        const double step = (k.max - k.min) / 4;
        return v + step <= k.max ? v + step : v - step;
    }
    case KnobKind::Duration:
        return std::get<Duration>(def) + std::chrono::seconds(7);
    case KnobKind::Bool:
        return !std::get<bool>(def);
    case KnobKind::Choice:
        for (const KnobChoice &c : k.choices) {
            if (std::get<QString>(def) != QLatin1String(c.key)) {
                return QString::fromLatin1(c.key);
            }
        }
        break;
    case KnobKind::TextList:
        if (qstrcmp(k.key, "load.url") == 0) {
            return QStringLiteral("http://127.0.0.1:8080/x");
        }
        if (qstrcmp(k.key, "load.headers") == 0) {
            return QStringLiteral("Idempotency-Key: 7");
        }
        break;
    case KnobKind::Text:
        if (qstrcmp(k.key, "server.listenAddress") == 0) {
            return QStringLiteral("::1");
        }
        return QStringLiteral("PUT");
    }
    return def;
}

} // namespace poolscope::testsupport
