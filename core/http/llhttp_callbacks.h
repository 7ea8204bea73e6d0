#pragma once

// For the .cpp files that drive llhttp (http/response_parser.cpp, server/request_parser.cpp),
// never for a public header: <llhttp.h> brings C enums and macros, and only a target that
// links llhttp::llhttp finds it.
#include <llhttp.h>

namespace poolscope {

// The plumbing every llhttp user needs, written once. Derived is the struct of static
// callbacks for Owner, the parser class that stores itself in llhttp_t::data; it names its
// callbacks in `static void bind(llhttp_settings_t &s)`:
//
//     struct ResponseParser::Callbacks : LlhttpCallbacks<ResponseParser, Callbacks> { ... };
//     llhttp_init(parser, HTTP_RESPONSE, &Callbacks::settings());
template<typename Owner, typename Derived>
struct LlhttpCallbacks
{
    // The object whose parser called back.
    static Owner *self(llhttp_t *parser) { return static_cast<Owner *>(parser->data); }

    // The settings table, built on first use. llhttp keeps a pointer to it in every parser
    // initialised with it, so it lives as long as the program.
    static const llhttp_settings_t &settings()
    {
        static const llhttp_settings_t instance = [] {
            llhttp_settings_t s;
            llhttp_settings_init(&s);
            Derived::bind(s);
            return s;
        }();
        return instance;
    }
};

} // namespace poolscope
