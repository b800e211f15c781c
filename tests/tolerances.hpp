#pragma once
// Tolerances of the test suites, named once. A value says how far a result
// may be from its hand-computed or reference value; the name says for which
// kind of result.

namespace mmsim::test {

/// Doubles from a few operations on hand-picked values of order 1 (prices,
/// cash, fees of the hand-made books).
inline constexpr double kHandTolerance = 1e-12;
/// Doubles of order 10^3, or after many operations (cash after several
/// fills, sums over steps, base units derived from notionals).
inline constexpr double kSumTolerance = 1e-9;
/// Float32 results of order 0.1 (rewards, scaled agent features), and
/// bounds on prices of order 100 derived from doubles.
inline constexpr double kFloatTolerance = 1e-6;
/// Float32 results against values computed in double, of order 1 to 10
/// (observation frames, rewards).
inline constexpr double kFloatUnitTolerance = 1e-5;
/// Float32 results of order 10 (the reward of a liquidation), and a mid
/// recovered in half ticks from the PnL, the cash and the position.
inline constexpr double kLooseTolerance = 1e-4;
/// CPU against CUDA, relative to max(1, |value|): both backends run the same
/// IEEE operations (no FMA contraction in the env kernels); only library
/// functions (log1p) may differ by an ulp.
inline constexpr double kBackendTolerance = 1e-9;
/// CPU against CUDA for the evaluation's per-window results, relative to
/// max(1, |value|): sums over hundreds of steps of the env's outputs.
inline constexpr double kBackendSumTolerance = 1e-6;

}  // namespace mmsim::test
