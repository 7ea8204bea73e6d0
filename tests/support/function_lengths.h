#pragma once

// Finds the function definitions in C++ source text and how long their bodies are,
// for the house rule "no function longer than about 80 lines" (STYLE.md). A text
// scanner, not a compiler: comments, string and character literals (raw strings too)
// and preprocessor lines are blanked first, then braces are matched. A brace opened at
// namespace or class scope whose head (the text since the previous `;`, `{` or `}`)
// has a parameter list and no top-level `=` opens a function body; everything inside
// (lambdas, local classes) counts towards that function. Constructor initialiser lists
// (`: a_(x), b_{y} {`) are part of the head. Aggregate initialisers (`= { ... }`) are
// data, not functions.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace poolscope::test {

struct FunctionSpan
{
    std::string name; // as written before the parameter list, e.g. "LabPanel::LabPanel"
    int line = 0; // 1-based line of the opening brace
    int bodyLines = 0; // lines strictly between the opening and the closing brace
};

namespace detail {

// The source with comments, literals and preprocessor lines replaced by spaces
// (newlines kept, so line numbers stay right).
inline std::string blankNonCode(std::string_view s)
{
    std::string out(s);
    const auto blank = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to && i < out.size(); ++i) {
            if (out[i] != '\n') {
                out[i] = ' ';
            }
        }
    };
    bool lineStart = true;
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '\n') {
            lineStart = true;
            ++i;
            continue;
        }
        if (lineStart && c == '#') { // preprocessor line, with its continuations
            std::size_t j = i;
            while (j < s.size() && !(s[j] == '\n' && s[j - 1] != '\\')) {
                ++j;
            }
            blank(i, j);
            i = j;
            continue;
        }
        if (!std::isspace(static_cast<unsigned char>(c))) {
            lineStart = false;
        }
        if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
            const std::size_t j = s.find('\n', i);
            const std::size_t end = j == std::string_view::npos ? s.size() : j;
            blank(i, end);
            i = end;
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            const std::size_t j = s.find("*/", i + 2);
            const std::size_t end = j == std::string_view::npos ? s.size() : j + 2;
            blank(i, end);
            i = end;
        } else if (c == 'R' && i + 1 < s.size() && s[i + 1] == '"'
            && (i == 0 || !(std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_')
                || s[i - 1] == 'u' || s[i - 1] == 'U' || s[i - 1] == 'L' || s[i - 1] == '8')) {
            const std::size_t open = s.find('(', i + 2);
            if (open == std::string_view::npos) {
                break;
            }
            const std::string close = ")" + std::string(s.substr(i + 2, open - (i + 2))) + "\"";
            const std::size_t j = s.find(close, open);
            const std::size_t end = j == std::string_view::npos ? s.size() : j + close.size();
            blank(i + 1, end);
            i = end;
        } else if (c == '"'
            || (c == '\''
                && !(i > 0 && std::isxdigit(static_cast<unsigned char>(s[i - 1]))
                    && i + 1 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1]))))) {
            // A literal; a ' between hex digits is a digit separator (1'000'000).
            std::size_t j = i + 1;
            while (j < s.size() && s[j] != c && s[j] != '\n') {
                j += s[j] == '\\' ? 2 : 1;
            }
            blank(i + 1, j);
            i = j + 1;
        } else {
            ++i;
        }
    }
    return out;
}

inline bool isWordChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

inline bool hasWord(std::string_view text, std::string_view word)
{
    for (std::size_t p = text.find(word); p != std::string_view::npos; p = text.find(word, p + 1)) {
        const bool before = p == 0 || !isWordChar(text[p - 1]);
        const bool after = p + word.size() >= text.size() || !isWordChar(text[p + word.size()]);
        if (before && after) {
            return true;
        }
    }
    return false;
}

// What a head (the text before a `{` at namespace or class scope) opens.
enum class Opens { Scope, Function, Data };

struct Head
{
    Opens opens = Opens::Data;
    std::string name;
};

inline std::string trimmed(std::string_view t)
{
    std::size_t b = 0;
    std::size_t e = t.size();
    while (b < e && std::isspace(static_cast<unsigned char>(t[b]))) {
        ++b;
    }
    while (e > b && std::isspace(static_cast<unsigned char>(t[e - 1]))) {
        --e;
    }
    return std::string(t.substr(b, e - b));
}

// Drops leading macro invocations without a semicolon (Q_LOGGING_CATEGORY(...),
// Q_DECLARE_METATYPE(...)): an all-capitals name and its argument list.
inline std::string_view withoutLeadingMacros(std::string_view head)
{
    for (;;) {
        std::size_t b = 0;
        while (b < head.size() && std::isspace(static_cast<unsigned char>(head[b]))) {
            ++b;
        }
        std::size_t e = b;
        while (e < head.size()
            && (std::isupper(static_cast<unsigned char>(head[e]))
                || std::isdigit(static_cast<unsigned char>(head[e])) || head[e] == '_')) {
            ++e;
        }
        std::size_t p = e;
        while (p < head.size() && std::isspace(static_cast<unsigned char>(head[p]))) {
            ++p;
        }
        if (e == b || p >= head.size() || head[p] != '(') {
            return head;
        }
        int depth = 0;
        std::size_t k = p;
        for (; k < head.size(); ++k) {
            depth += head[k] == '(' ? 1 : head[k] == ')' ? -1 : 0;
            if (depth == 0) {
                break;
            }
        }
        const std::string_view rest = k < head.size() ? head.substr(k + 1) : std::string_view();
        if (trimmed(rest).empty()) {
            return head; // the macro is all there is: it may be the function's name
        }
        head = rest;
    }
}

inline Head classify(std::string_view head)
{
    // Keywords before the first '(' decide scopes; template parameter lists may say
    // "class" and "typename" without opening one.
    std::string text(withoutLeadingMacros(head));
    for (std::size_t t = text.find("template"); t != std::string::npos;
         t = text.find("template", t + 1)) {
        std::size_t lt = text.find('<', t);
        if (lt == std::string::npos) {
            break;
        }
        int depth = 0;
        std::size_t k = lt;
        for (; k < text.size(); ++k) {
            depth += text[k] == '<' ? 1 : text[k] == '>' ? -1 : 0;
            if (depth == 0) {
                break;
            }
        }
        for (std::size_t m = lt; m <= k && m < text.size(); ++m) {
            text[m] = ' ';
        }
    }
    const std::size_t paren = text.find('(');
    const std::string_view beforeParen = std::string_view(text).substr(0, paren);
    for (std::string_view kw : { "namespace", "class", "struct", "union", "enum", "extern" }) {
        if (hasWord(beforeParen, kw)) {
            return { kw == "enum" ? Opens::Data : Opens::Scope, {} };
        }
    }
    if (paren == std::string::npos) {
        return { Opens::Data, {} };
    }
    // A top-level '=' (not ==, <=, >=, != and not in "operator=") makes it an initialiser.
    int depth = 0;
    for (std::size_t k = 0; k < text.size(); ++k) {
        const char c = text[k];
        depth += (c == '(' || c == '[') ? 1 : (c == ')' || c == ']') ? -1 : 0;
        if (depth == 0 && c == '=' && k + 1 < text.size() && text[k + 1] != '='
            && (k == 0 || std::string_view("=<>!").find(text[k - 1]) == std::string_view::npos)
            && text.rfind("operator", k) == std::string::npos) {
            return { Opens::Data, {} };
        }
    }
    std::size_t e = paren;
    while (e > 0 && std::isspace(static_cast<unsigned char>(text[e - 1]))) {
        --e;
    }
    std::size_t b = e;
    const auto back = [&](std::string_view chars, bool words) {
        while (b > 0
            && ((words && isWordChar(text[b - 1]))
                || chars.find(text[b - 1]) != std::string_view::npos)) {
            --b;
        }
    };
    back(":~", true);
    if (b == e) { // operator==, operator()
        back("=<>!+-*/%&|^[]()", false);
        back(":~", true);
    }
    return { Opens::Function, trimmed(std::string_view(text).substr(b, e - b)) };
}

// True when the brace is still part of the head: inside an open parenthesis, or in a
// constructor's initialiser list with a member about to be brace-initialised
// (`) : a_(x), b_{`: a top-level ':' (not '::') after the parameter list, and an
// identifier right before the brace).
inline bool inInitializerList(std::string_view head)
{
    const std::string t = trimmed(head);
    int open = 0;
    for (char c : t) {
        open += c == '(' ? 1 : c == ')' ? -1 : 0;
    }
    if (open > 0) {
        return true; // a braced argument, `m_v({ 1 })` or `f(X x = {})`
    }
    if (t.empty() || !(isWordChar(t.back()) || t.back() == '>')) {
        return false;
    }
    int depth = 0;
    bool closedParams = false;
    for (std::size_t k = 0; k < t.size(); ++k) {
        const char c = t[k];
        if (c == '(') {
            ++depth;
        } else if (c == ')') {
            --depth;
            closedParams = closedParams || depth == 0;
        } else if (depth == 0 && closedParams && c == ':' && !(k + 1 < t.size() && t[k + 1] == ':')
            && !(k > 0 && t[k - 1] == ':')) {
            return true;
        }
    }
    return false;
}

} // namespace detail

// Every function definition in `source` whose body opens at namespace or class scope.
inline std::vector<FunctionSpan> functionSpans(std::string_view source)
{
    const std::string s = detail::blankNonCode(source);
    std::vector<FunctionSpan> out;
    int line = 1;
    std::size_t headStart = 0;
    // Skips from the '{' at i to its matching '}', counting lines; returns the index of '}'.
    const auto skipBlock = [&](std::size_t i) {
        int depth = 0;
        for (; i < s.size(); ++i) {
            if (s[i] == '\n') {
                ++line;
            } else if (s[i] == '{') {
                ++depth;
            } else if (s[i] == '}' && --depth == 0) {
                return i;
            }
        }
        return s.size();
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\n') {
            ++line;
        } else if (c == ';' || c == '}') {
            headStart = i + 1;
        } else if (c == ':' && i + 1 < s.size() && s[i + 1] != ':' && i > 0 && s[i - 1] != ':') {
            // An access specifier or a Qt section (public:, Q_SIGNALS:) ends a head too,
            // unless it starts an initialiser list or a base clause (then a '(' or
            // "class" came first).
            const std::string_view h = std::string_view(s).substr(headStart, i - headStart);
            if (h.find('(') == std::string_view::npos && !detail::hasWord(h, "class")
                && !detail::hasWord(h, "struct") && !detail::hasWord(h, "enum")
                && h.find('?') == std::string_view::npos) {
                headStart = i + 1;
            }
        } else if (c == '{') {
            const std::string_view head = std::string_view(s).substr(headStart, i - headStart);
            if (detail::inInitializerList(head)) {
                i = skipBlock(i); // a member's braced initialiser: still the head
                continue;
            }
            const detail::Head h = detail::classify(head);
            if (h.opens == detail::Opens::Scope) {
                headStart = i + 1;
                continue;
            }
            const int open = line;
            i = skipBlock(i);
            if (h.opens == detail::Opens::Function) {
                out.push_back({ h.name, open, std::max(0, line - open - 1) });
            }
            headStart = i + 1;
        }
    }
    return out;
}

} // namespace poolscope::test
