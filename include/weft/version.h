#pragma once
// weft's version, for the preprocessor and at run time. It follows semantic versioning:
// programs built against one 0.x or N.x release build against the next one of the same
// major version. CMake refuses to configure if these numbers differ from
// project(weft VERSION ...), so the headers and the package always agree.

#define WEFT_VERSION_MAJOR 0
#define WEFT_VERSION_MINOR 1
#define WEFT_VERSION_PATCH 0
#define WEFT_VERSION_STRING "0.1.0"

// One number for comparisons: 0.1.0 is 100, 1.2.3 is 10203.
#define WEFT_VERSION (WEFT_VERSION_MAJOR * 10000 + WEFT_VERSION_MINOR * 100 + WEFT_VERSION_PATCH)

namespace weft {

// The version of the headers the caller was compiled with, as "major.minor.patch".
constexpr const char* version() noexcept {
  return WEFT_VERSION_STRING;
}

}  // namespace weft
