# Third-party libraries of the simulator (Debian packages, or the project-local
# prefix that `tools/setup.sh --offline` unpacks them into).

set(MMSIM_LOCAL_PREFIX "${PROJECT_SOURCE_DIR}/.deps/prefix/usr")
if(EXISTS "${MMSIM_LOCAL_PREFIX}")
  list(PREPEND CMAKE_PREFIX_PATH "${MMSIM_LOCAL_PREFIX}")
  include_directories(SYSTEM "${MMSIM_LOCAL_PREFIX}/include")
  message(STATUS "Using the project-local package prefix ${MMSIM_LOCAL_PREFIX}")
endif()

find_program(MMSIM_CCACHE ccache)
if(MMSIM_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${MMSIM_CCACHE}")
  set(CMAKE_CUDA_COMPILER_LAUNCHER "${MMSIM_CCACHE}")
  set(MMSIM_CCACHE_SUMMARY "${MMSIM_CCACHE}")
else()
  set(MMSIM_CCACHE_SUMMARY "not found (builds are not cached)")
endif()

find_package(Threads REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.9 REQUIRED)
find_package(zstd REQUIRED)

find_path(MMSIM_RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(mmsim_random123 INTERFACE)
target_include_directories(mmsim_random123 SYSTEM INTERFACE "${MMSIM_RANDOM123_INCLUDE_DIR}")

if(TARGET zstd::libzstd_shared)
  set(MMSIM_ZSTD_TARGET zstd::libzstd_shared)
else()
  set(MMSIM_ZSTD_TARGET zstd::libzstd_static)
endif()

if(MMSIM_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(MMSIM_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Warnings for the project's own targets only; never touches CMAKE_CXX_FLAGS.
add_library(mmsim_warnings INTERFACE)
# A switch over an enum that misses one of its values (a fill model, an
# algorithm) does not compile.
target_compile_options(mmsim_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Werror=switch>
  $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
