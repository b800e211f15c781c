# The CUDA backend is built whenever nvcc is found (MMSIM_CUDA=AUTO), GPU or
# not, so that every kernel is compiled by CI.

set(MMSIM_HAVE_CUDA OFF)
if(NOT MMSIM_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 75 80 86 89 90 CACHE STRING "CUDA architectures to build for")
    endif()
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    # The runtime is linked statically: it loads the driver (libcuda) at run
    # time, so binaries start on machines without one and report "no device".
    set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
    find_package(CUDAToolkit REQUIRED)
    set(MMSIM_HAVE_CUDA ON)
    set(MMSIM_CUDA_SUMMARY "ON (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, architectures ${CMAKE_CUDA_ARCHITECTURES})")
  elseif(MMSIM_CUDA STREQUAL "ON")
    message(FATAL_ERROR "MMSIM_CUDA=ON but no CUDA compiler was found; install the CUDA toolkit or set CMAKE_CUDA_COMPILER")
  else()
    set(MMSIM_CUDA_SUMMARY "OFF (no nvcc found)")
  endif()
else()
  set(MMSIM_CUDA_SUMMARY "OFF (MMSIM_CUDA=OFF)")
endif()
