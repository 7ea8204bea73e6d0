#include "load_config.h"

namespace poolscope {

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

} // namespace poolscope
