// libFuzzer target: arbitrary bytes as a scenario file, through loadScenarioFile() as
// `--scenario FILE` and File > Open read it (tests/fuzz/README.md).
//
// Invariants (any violation aborts, which libFuzzer reports as a crash):
// - never crashes, leaks or trips ASan/UBSan;
// - the result is a Preset or an error, never both, never neither;
// - an error starts with the file's name; when the bytes are a JSON object, the message then
//   names a field the file holds ("transport.MaxIdleConnsPerHost: ..."), or "format"/"version";
// - a Preset holds only values its knobs accept (checkKnobValue), and survives a round trip
//   through scenarioToJson() and scenarioFromJson() unchanged.
#include "../support/fuzz_check.h"
#include "scenario/knob_table.h"
#include "scenario/presets.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sys/mman.h>
#include <unistd.h>

using namespace poolscope;

namespace {

using poolscope::testsupport::check;

// True when the dotted `field` leads through `obj` to a value; keys may hold dots themselves.
// An empty key is written "".
bool resolves(const QJsonObject &obj, QStringView field)
{
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const QString key = it.key().isEmpty() ? QStringLiteral("\"\"") : it.key();
        if (field == key)
            return true;
        if (field.startsWith(key) && field.size() > key.size() && field[key.size()] == u'.'
            && it.value().isObject() && resolves(it.value().toObject(), field.mid(key.size() + 1)))
            return true;
    }
    return false;
}

// The message names a field of the document: "<field>: why", for some ": " in it.
bool namesField(const QJsonObject &doc, QStringView message)
{
    for (qsizetype at = message.indexOf(u": "); at >= 0; at = message.indexOf(u": ", at + 1)) {
        const QStringView field = message.left(at); // a key may hold ": " itself
        if (field == u"format" || field == u"version" || resolves(doc, field))
            return true;
    }
    return false;
}

void checkPreset(const Preset &preset)
{
    const Settings settings { preset.transport, preset.load, preset.server };
    for (const Knob &k : knobTable()) {
        const QString why = checkKnobValue(k, k.get(settings));
        check(why.isEmpty(), "an accepted file holds only valid values",
            QStringLiteral("%1: %2").arg(QLatin1String(k.key), why));
    }
    QString error;
    const auto again = scenarioFromJson(scenarioToJson(preset), &error);
    check(again.has_value(), "a saved preset loads again", error);
    check(*again == preset, "a preset survives the round trip");
}

class ScenarioFile
{
public:
    ScenarioFile() : m_fd(memfd_create("scenario", MFD_CLOEXEC))
    {
        check(m_fd >= 0, "memfd_create");
        m_path = QStringLiteral("/proc/self/fd/%1").arg(m_fd);
    }

    const QString &write(const uint8_t *data, size_t size)
    {
        check(ftruncate(m_fd, 0) == 0, "ftruncate");
        size_t done = 0;
        while (done < size) {
            const ssize_t n = pwrite(m_fd, data + done, size - done, off_t(done));
            check(n > 0, "pwrite");
            done += size_t(n);
        }
        return m_path;
    }

private:
    int m_fd;
    QString m_path;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ScenarioFile file;
    const QString &path = file.write(data, size);

    QString error;
    const std::optional<Preset> preset = loadScenarioFile(path, &error);
    if (preset) {
        check(error.isEmpty(), "a Preset comes without an error", error);
        checkPreset(*preset);
        return 0;
    }
    check(!error.isEmpty(), "a refused file says why");
    check(error.startsWith(path + u':'), "the error names the file", error);

    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (doc.isObject()) {
        const QStringView why = QStringView(error).mid(path.size() + 2);
        check(namesField(doc.object(), why), "the error names a field of the file", error);
    }
    return 0;
}
