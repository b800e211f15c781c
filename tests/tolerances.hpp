#pragma once
// The tests' tolerances, named for what each allows for. Absolute unless a
// name or a comment says relative.

namespace mmsim::test {

// Double arithmetic: a few roundings, by the size of the result.
/// Results of order 0.01.
inline constexpr double kDoubleRoundingOfHundredths = 1e-15;
/// Results of order 1.
inline constexpr double kDoubleRounding = 1e-12;
/// Results of order 10.
inline constexpr double kDoubleRoundingOfTens = 1e-11;
/// Results of order 10 to 10^3, or of longer computations: sums over rows or
/// steps, cash after several fills, square roots, a least-squares fit.
inline constexpr double kDoubleAccumulation = 1e-9;

// float32 values (features, probabilities).
/// One rounding of a value below 1.
inline constexpr double kOneFloat32Rounding = 1e-7;
/// A few roundings of a value of order 1; relative where the value may be larger.
inline constexpr double kFloat32Rounding = 1e-6;
/// A few roundings of a value of order 10; float32 results of order 1 to 10
/// against values computed in double (observation frames, rewards).
inline constexpr double kFloat32RoundingOfTens = 1e-5;
/// Float32 results of order 100 (the reward of a liquidation), and a mid
/// recovered in half ticks from the PnL, the cash and the position.
inline constexpr double kFloat32RoundingOfHundreds = 1e-4;
/// A row of float32 softmax probabilities summed, against 1.
inline constexpr double kFloat32ProbabilitySum = 1e-5;
/// A float32 network run by another library on another device (cuDNN against
/// the CPU): relative and absolute parts of one tolerance.
inline constexpr double kCrossDeviceFloat32Relative = 1e-4;
inline constexpr double kCrossDeviceFloat32Absolute = 1e-5;

// The CUDA backend against the CPU's, relative to max(1, |value|).
/// Env outputs: both backends run the same IEEE operations (no FMA
/// contraction in the env kernels); only library functions (log1p) may differ
/// by an ulp.
inline constexpr double kBackendTolerance = 1e-9;
/// The evaluation's per-window results: sums over hundreds of steps of the env's outputs.
inline constexpr double kBackendSumTolerance = 1e-6;

// Training runs compared across devices (the GPU's matrix products round
// otherwise; metrics relative to 1 + |value|).
/// Per-step means of the rollout: rewards, values, entropy.
inline constexpr double kCrossDeviceRollout = 1e-4;
/// Quantities that pass through a backward pass: losses, gradient norms.
inline constexpr double kCrossDeviceGradient = 1e-3;
/// Episode PnL, accumulated in float64 from the env's own arithmetic.
inline constexpr double kCrossDeviceEpisodePnl = 1e-6;
/// The evaluation's PnL decomposition on real data: sums over hundreds of
/// steps of doubles of order 10 to 100, each part summed on its own.
inline constexpr double kEvaluationSumOverSteps = 1e-6;
/// A metric printed with 6 significant digits against its exact value (relative to 1 + |value|).
inline constexpr double kSixDigits = 1e-5;

// Statistics of samples.
/// Mean (against 0) and standard deviation (against 1) of a normalised feature
/// column, recomputed from its float32 values.
inline constexpr double kNormalisedMoments = 1e-3;
/// Relative error of a volatility estimated from a simulated random walk.
inline constexpr double kSigmaSamplingRelative = 0.02;
/// Relative error of an intensity (A, kappa) fitted to simulated fills.
inline constexpr double kIntensityFitSamplingRelative = 0.05;

}  // namespace mmsim::test
