# How weft's libraries are made and packaged.
#
# Every library weft installs is made by weft_add_library(), which creates the static
# library, its alias, include directories, warning flags, install rules, its place in the
# one exported target set and its pkg-config file. Adding a library to the package is one
# call in the root CMakeLists.txt, for example:
#
#   weft_add_library(weft_http
#     SOURCES ${http_sources} HEADERS ${http_headers}
#     LINK weft::weft llhttp::llhttp          # public link dependencies (targets)
#     FIND_DEPENDENCY "llhttp"                # one find_dependency() call each, for weftConfig.cmake
#     PC_REQUIRES "weft = ${PROJECT_VERSION}" # pkg-config modules it needs
#     PC_LIBS -lllhttp                        # what it links that has no .pc file
#     DESCRIPTION "HTTP/1.1 for weft")
#
# gives libweft_http.a, the target weft::http (for find_package and add_subdirectory
# alike), and weft_http.pc. Its headers (under include/, installed with the same path)
# must not also be listed for weft itself. After the last library, weft_install_package()
# writes weftConfig.cmake, weftConfigVersion.cmake and the export set.
#
# Libraries are static only, so a .pc file lists its dependencies under Requires and Libs
# (not only Requires.private and Libs.private): a static archive records none of them, and
# `pkg-config --libs` must give a complete link line without --static.

include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The warning flags for weft's own targets (its libraries, programs, tests, benchmarks);
# never set on a consumer's targets. -Werror follows WEFT_WERROR.
function(weft_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
  if(WEFT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# The standard headers nearly every weft source includes, compiled once per target
# (WEFT_PRECOMPILE_HEADERS): they are most of each file's compile time.
set(WEFT_COMMON_STD_HEADERS <algorithm> <atomic> <chrono> <cstdint> <cstring> <functional> <memory> <mutex>
  <span> <stdexcept> <string> <string_view> <system_error> <utility> <vector>)

function(weft_add_library target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "DESCRIPTION"
    "SOURCES;HEADERS;LINK;FIND_DEPENDENCY;PC_REQUIRES;PC_LIBS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "weft_add_library(${target}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  # weft -> weft::weft; weft_<name> -> weft::<name>.
  string(REGEX REPLACE "^weft_" "" export_name ${target})

  add_library(${target} STATIC ${arg_SOURCES})
  add_library(weft::${export_name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name} CXX_EXTENSIONS OFF)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_sources(${target} PUBLIC FILE_SET HEADERS BASE_DIRS ${PROJECT_SOURCE_DIR}/include FILES ${arg_HEADERS})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${arg_LINK})
  weft_target_warnings(${target})
  if(WEFT_PRECOMPILE_HEADERS)
    target_precompile_headers(${target} PRIVATE ${WEFT_COMMON_STD_HEADERS})
  endif()

  set_property(GLOBAL APPEND PROPERTY WEFT_LIBRARIES ${target})
  set_property(GLOBAL APPEND PROPERTY WEFT_FIND_DEPENDENCIES ${arg_FIND_DEPENDENCY})
  if(NOT WEFT_INSTALL)
    return()
  endif()
  install(TARGETS ${target} EXPORT weftTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

  # The .pc file finds the prefix from its own place, so the tree can be installed with
  # `cmake --install --prefix` anywhere, or moved.
  set(pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  if(IS_ABSOLUTE ${pc_dir})
    set(WEFT_PC_PREFIX ${CMAKE_INSTALL_PREFIX})
  else()
    file(RELATIVE_PATH pc_to_prefix /prefix/${pc_dir} /prefix)
    string(REGEX REPLACE "/$" "" pc_to_prefix ${pc_to_prefix})
    set(WEFT_PC_PREFIX "\${pcfiledir}/${pc_to_prefix}")
  endif()
  set(WEFT_PC_NAME ${target})
  set(WEFT_PC_DESCRIPTION "${arg_DESCRIPTION}")
  list(JOIN arg_PC_REQUIRES ", " WEFT_PC_REQUIRES)
  list(JOIN arg_PC_LIBS " " WEFT_PC_LIBS)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/weft.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${target}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${target}.pc DESTINATION ${pc_dir})
endfunction()

# The CMake package: weftConfig.cmake (find_dependency for every library's dependencies,
# then the targets), weftConfigVersion.cmake (SameMajorVersion) and weftTargets.cmake.
function(weft_install_package)
  if(NOT WEFT_INSTALL)
    return()
  endif()
  set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/weft)
  get_property(dependencies GLOBAL PROPERTY WEFT_FIND_DEPENDENCIES)
  list(REMOVE_DUPLICATES dependencies)
  set(WEFT_FIND_DEPENDENCIES "")
  foreach(dependency IN LISTS dependencies)
    string(APPEND WEFT_FIND_DEPENDENCIES "find_dependency(${dependency})\n")
  endforeach()
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/weftConfig.cmake.in
    ${PROJECT_BINARY_DIR}/cmake/weftConfig.cmake INSTALL_DESTINATION ${config_dir})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/weftConfigVersion.cmake
    COMPATIBILITY SameMajorVersion)
  install(EXPORT weftTargets NAMESPACE weft:: DESTINATION ${config_dir})
  install(FILES ${PROJECT_BINARY_DIR}/cmake/weftConfig.cmake ${PROJECT_BINARY_DIR}/cmake/weftConfigVersion.cmake
    DESTINATION ${config_dir})
endfunction()
