#pragma once
// MMSIM_HD marks functions that run on the host and, when compiled by nvcc, on
// the device. Market mechanics are written once with it (docs/architecture.md, principle 1).

#if defined(__CUDACC__)
#define MMSIM_HD __host__ __device__
#else
#define MMSIM_HD
#endif
