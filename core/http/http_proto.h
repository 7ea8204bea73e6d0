#pragma once

#include <cstddef>
#include <cstdint>

namespace poolscope {

// The protocol a response came over: Go's resp.Proto.
enum class HttpProto : std::uint8_t { Http10, Http11, Http2, Count_ };
inline constexpr std::size_t kHttpProtoCount = static_cast<std::size_t>(HttpProto::Count_);

// Go's resp.Proto strings: "HTTP/1.0", "HTTP/1.1", "HTTP/2.0".
[[nodiscard]] constexpr const char *httpProtoName(HttpProto p)
{
    switch (p) {
    case HttpProto::Http10:
        return "HTTP/1.0";
    case HttpProto::Http11:
        return "HTTP/1.1";
    case HttpProto::Http2:
        return "HTTP/2.0";
    case HttpProto::Count_:
        break;
    }
    return "unknown";
}

} // namespace poolscope
