#pragma once

#include <QString>
#include <cstdint>
#include <span>

namespace poolscope {

// A misbehaving server the embedded one can play, one per response (ServerConfig::hostile).
// What each sends is in hostile_responses.h; what Go 1.19's client makes of it is in
// tests/tst_server_hostile.cpp, one row each.
enum class HostileMode : std::uint8_t {
    None, // a well-behaved server
    Garbage, // random printable bytes and a CRLF instead of a response, then close
    TruncatedHead, // the status line and part of the headers, then close
    TruncatedBody, // the head and half the body Content-Length announces, then close
    LengthLonger, // Content-Length 1000 more than the body sent; the connection stays open
    LengthShorter, // Content-Length half the body sent: the rest is stray bytes; then close
    BadChunkSize, // chunked, with a chunk size that is not hex
    HugeHeaders, // a head of 10 MiB + 8 KiB (beyond Go's default MaxResponseHeaderBytes)
    TrickleHead, // the whole response, the head one byte every 10 ms
    TrickleBody, // the whole response, the body one byte every 10 ms
    Reset, // RST as soon as the request is read, before any answer
    ResetMidBody, // the head and half the body, then RST
    NeverAnswer, // read the request and never answer (the client's timeouts decide)
    InformationalStorm, // ten 103 Early Hints before the 200 (Go allows five)
    LengthAndChunked, // Content-Length and Transfer-Encoding: chunked together
    TwoLengths, // two different Content-Length headers
    Count_
};

struct HostileModeInfo
{
    HostileMode mode;
    const char *key; // flags, scenario files: "truncated-body" (the knob table has the labels)
};

// One row per mode, in enum order.
[[nodiscard]] std::span<const HostileModeInfo> hostileModes();
[[nodiscard]] const char *hostileModeKey(HostileMode mode);
// false (and *out untouched) for an unknown key.
bool parseHostileMode(const QString &key, HostileMode *out);

} // namespace poolscope
