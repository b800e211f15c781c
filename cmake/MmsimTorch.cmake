# libtorch from the `torch` wheel in the project's Python environment
# (tools/setup.sh), or from CMAKE_PREFIX_PATH / Torch_DIR.
#
# Two traps of the CUDA wheel are handled here:
# - find_package(Torch) runs Caffe2's CUDA set-up, which replaces
#   CMAKE_CUDA_ARCHITECTURES and appends -gencode flags to CMAKE_CUDA_FLAGS.
#   We pass our architectures as TORCH_CUDA_ARCH_LIST and restore both
#   variables afterwards, so the simulator's kernels get exactly our flags.
# - Torch's exported targets link the CUDA driver library (libcuda), absent on
#   machines without a driver. mmsim links only the torch libraries it needs,
#   by file, and a test checks that no binary needs libcuda.

set(MMSIM_HAVE_TORCH OFF)
set(MMSIM_HAVE_TORCH_CUDA OFF)
set(MMSIM_TORCH_SUMMARY "OFF (MMSIM_TORCH=OFF)")
if(NOT MMSIM_TORCH STREQUAL "OFF")
  if(DEFINED ENV{MMSIM_VENV} AND NOT "$ENV{MMSIM_VENV}" STREQUAL "")
    set(_mmsim_venv "$ENV{MMSIM_VENV}")
  elseif(DEFINED ENV{XDG_DATA_HOME} AND NOT "$ENV{XDG_DATA_HOME}" STREQUAL "")
    set(_mmsim_venv "$ENV{XDG_DATA_HOME}/mmsim/venv")
  else()
    set(_mmsim_venv "$ENV{HOME}/.local/share/mmsim/venv")
  endif()
  set(MMSIM_PYTHON "${_mmsim_venv}/bin/python" CACHE FILEPATH "Python of the project's environment (holds torch)")
  set(_mmsim_torch_cuda "")
  if(EXISTS "${MMSIM_PYTHON}" AND NOT Torch_DIR)
    execute_process(
      COMMAND "${MMSIM_PYTHON}" -c "import torch; print(torch.utils.cmake_prefix_path); print(torch.version.cuda or '')"
      OUTPUT_VARIABLE _mmsim_torch_out RESULT_VARIABLE _mmsim_torch_rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(_mmsim_torch_rc EQUAL 0)
      string(REPLACE "\n" ";" _mmsim_torch_out "${_mmsim_torch_out}")
      list(GET _mmsim_torch_out 0 _mmsim_torch_prefix)
      list(LENGTH _mmsim_torch_out _mmsim_torch_n)
      if(_mmsim_torch_n GREATER 1)
        list(GET _mmsim_torch_out 1 _mmsim_torch_cuda)
      endif()
      list(APPEND CMAKE_PREFIX_PATH "${_mmsim_torch_prefix}")
    endif()
  endif()

  if(_mmsim_torch_cuda AND NOT MMSIM_HAVE_CUDA)
    set(MMSIM_TORCH_SUMMARY "OFF (the torch in ${_mmsim_venv} is a CUDA ${_mmsim_torch_cuda} build and needs the CUDA toolkit)")
  else()
    set(_mmsim_saved_cuda_flags "${CMAKE_CUDA_FLAGS}")
    set(_mmsim_saved_cuda_archs "${CMAKE_CUDA_ARCHITECTURES}")
    if(MMSIM_HAVE_CUDA)
      set(_mmsim_arch_list "")
      foreach(_arch IN LISTS CMAKE_CUDA_ARCHITECTURES)
        string(REGEX REPLACE "-(real|virtual)$" "" _arch "${_arch}")
        string(REGEX REPLACE "^([0-9]+)([0-9])$" "\\1.\\2" _arch "${_arch}")
        list(APPEND _mmsim_arch_list "${_arch}")
      endforeach()
      set(TORCH_CUDA_ARCH_LIST "${_mmsim_arch_list}")
      set(ENV{TORCH_CUDA_ARCH_LIST} "${_mmsim_arch_list}")
    endif()
    # Torch warns when it sees CMAKE_CUDA_ARCHITECTURES; it is restored below.
    unset(CMAKE_CUDA_ARCHITECTURES)
    unset(CMAKE_CUDA_ARCHITECTURES CACHE)
    find_package(Torch QUIET)
    set(CMAKE_CUDA_FLAGS "${_mmsim_saved_cuda_flags}")
    set(CMAKE_CUDA_ARCHITECTURES "${_mmsim_saved_cuda_archs}" CACHE STRING "CUDA architectures to build for" FORCE)
    if(Torch_FOUND)
      set(MMSIM_HAVE_TORCH ON)
      set(MMSIM_TORCH_SUMMARY "ON (${Torch_VERSION} from ${Torch_DIR})")
      # Headers of the torch target, and only the CPU libraries, by file:
      # nothing of Torch's CUDA link interface (driver library included).
      get_target_property(_mmsim_torch_includes torch INTERFACE_INCLUDE_DIRECTORIES)
      add_library(mmsim_torch_cpu INTERFACE)
      target_include_directories(mmsim_torch_cpu SYSTEM INTERFACE ${_mmsim_torch_includes})
      target_link_libraries(mmsim_torch_cpu INTERFACE
        "${TORCH_INSTALL_PREFIX}/lib/libtorch_cpu.so" "${TORCH_INSTALL_PREFIX}/lib/libc10.so")
      # CUDA training needs torch's CUDA libraries too (never libcuda itself:
      # the driver is loaded at run time). No symbol of libtorch_cuda is
      # referenced directly, yet loading it registers torch's CUDA backend, so
      # it is linked without --as-needed.
      if(MMSIM_HAVE_CUDA AND EXISTS "${TORCH_INSTALL_PREFIX}/lib/libtorch_cuda.so")
        set(MMSIM_HAVE_TORCH_CUDA ON)
        string(APPEND MMSIM_TORCH_SUMMARY ", with CUDA training")
        add_library(mmsim_torch_cuda INTERFACE)
        target_include_directories(mmsim_torch_cuda SYSTEM INTERFACE ${CUDAToolkit_INCLUDE_DIRS})
        target_link_libraries(mmsim_torch_cuda INTERFACE mmsim_torch_cpu "-Wl,--push-state,--no-as-needed"
          "${TORCH_INSTALL_PREFIX}/lib/libtorch_cuda.so" "${TORCH_INSTALL_PREFIX}/lib/libc10_cuda.so"
          "-Wl,--pop-state")
      endif()
    else()
      set(MMSIM_TORCH_SUMMARY "OFF (libtorch not found; run tools/setup.sh)")
    endif()
  endif()
  if(MMSIM_TORCH STREQUAL "ON" AND NOT MMSIM_HAVE_TORCH)
    message(FATAL_ERROR "MMSIM_TORCH=ON but: ${MMSIM_TORCH_SUMMARY}")
  endif()
endif()
