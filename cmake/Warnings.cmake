# One place that says how strict we are with our own code. Third-party headers
# come in as SYSTEM includes, so their warnings do not fail our build.
function(cardd_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror
    -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    # GCC 12 at -O3 reports false positives inside std::string/std::vector
    # copies (-Wrestrict, -Warray-bounds, -Wstringop-overflow/-overread; GCC bugs 105329,
    # 107852). They stay errors in the debug and sanitizer builds.
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<CONFIG:Release>>:-Wno-restrict -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread>)
endfunction()
