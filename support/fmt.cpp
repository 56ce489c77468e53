// fmt's compiled part, built here from Debian's fmt headers into a static library (mqtt_fmt),
// instead of linking Debian's libfmt.so.
//
// Why: libfmt.so is a C++ shared library, so it brings libstdc++.so with it, and with
// libstdc++.so loaded the tools cannot link the C++ runtime statically. Loaded, libstdc++.so
// costs a short mqtt-pub run about a third of its start-up (the dynamic loader resolves
// thousands of its symbols) and an idle mqtt-sub about 1.6 MB of resident pages; linked
// statically, only what the tools use is in them, resolved when they are linked.
//
// How: fmt's "header-only" mode keeps its implementation in <fmt/format-inl.h>. Compiled
// without FMT_HEADER_ONLY in this one file, its functions are emitted once, here, for every
// other file to link against, as they would against libfmt.so; <fmt/format.h> declares four
// templates extern that this file must therefore instantiate.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API auto decimal_point_impl(locale_ref) -> wchar_t;

}  // namespace detail
FMT_END_NAMESPACE
