#include "mmsim/env/layout.hpp"

namespace mmsim {
namespace {

Shape per_env(std::int64_t n, const StepParams&) { return {n}; }
Shape per_observation(std::int64_t n, const StepParams& p) { return {n, p.stack, p.frame_size}; }
Shape per_order_slot(std::int64_t n, const StepParams& p) { return {n, p.pending_slots}; }
Shape per_frame(std::int64_t n, const StepParams& p) { return {n, p.stack}; }
Shape per_frame_agent_feature(std::int64_t n, const StepParams& p) { return {n, p.stack, kAgentFeatures}; }
Shape fault_record(std::int64_t, const StepParams&) { return {kFaultRecord}; }
Shape episode_totals(std::int64_t, const StepParams&) { return {2}; }

}  // namespace

const FieldTable<EnvOutputViews, StepParams>& output_fields() {
  using O = EnvOutputViews;
  static const FieldTable<EnvOutputViews, StepParams> fields = {
      buffer_field<&O::obs>("obs", per_observation),
      buffer_field<&O::final_obs>("final_obs", per_observation),
      buffer_field<&O::reward>("reward", per_env),
      buffer_field<&O::terminated>("terminated", per_env),
      buffer_field<&O::truncated>("truncated", per_env),
      buffer_field<&O::pnl>("pnl", per_env),
      buffer_field<&O::position>("position", per_env),
      buffer_field<&O::cash>("cash", per_env),
      buffer_field<&O::fees>("fees", per_env),
      buffer_field<&O::bid_volume>("bid_volume", per_env),
      buffer_field<&O::ask_volume>("ask_volume", per_env),
      buffer_field<&O::bid_price>("bid_price", per_env),
      buffer_field<&O::ask_price>("ask_price", per_env),
      buffer_field<&O::bid_fills>("bid_fills", per_env),
      buffer_field<&O::ask_fills>("ask_fills", per_env),
      buffer_field<&O::bid_quote>("bid_quote", per_env),
      buffer_field<&O::ask_quote>("ask_quote", per_env),
      buffer_field<&O::liquidation>("liquidation", per_env),
      buffer_field<&O::liquidation_fee>("liquidation_fee", per_env),
      buffer_field<&O::episode_pnl>("episode_pnl", per_env),
      buffer_field<&O::episode_pnl_mark>("episode_pnl_mark", per_env),
      buffer_field<&O::episode_length>("episode_length", per_env),
      buffer_field<&O::episode_fills>("episode_fills", per_env),
      buffer_field<&O::fault>("fault", fault_record),
  };
  return fields;
}

const FieldTable<EnvState, StepParams>& state_fields() {
  using S = EnvState;
  static const FieldTable<EnvState, StepParams> fields = {
      buffer_field<&S::row>("row", per_env),
      buffer_field<&S::episode_start>("episode_start", per_env),
      buffer_field<&S::step>("step", per_env),
      buffer_field<&S::length>("length", per_env),
      buffer_field<&S::episode>("episode", per_env),
      buffer_field<&S::finished>("finished", per_env),
      buffer_field<&S::finished_total>("finished_total", episode_totals),
      buffer_field<&S::cash>("cash", per_env),
      buffer_field<&S::position>("position", per_env),
      buffer_field<&S::pnl>("pnl", per_env),
      buffer_field<&S::flat_pnl>("flat_pnl", per_env),
      buffer_field<&S::fees>("fees", per_env),
      buffer_field<&S::fills>("fills", per_env),
      buffer_field<&S::bid_quote>("bid_quote", per_env),
      buffer_field<&S::ask_quote>("ask_quote", per_env),
      buffer_field<&S::bid_rest>("bid_rest", per_env),
      buffer_field<&S::ask_rest>("ask_rest", per_env),
      buffer_field<&S::bid_queue>("bid_queue", per_env),
      buffer_field<&S::ask_queue>("ask_queue", per_env),
      buffer_field<&S::bid_level>("bid_level", per_env),
      buffer_field<&S::ask_level>("ask_level", per_env),
      buffer_field<&S::pending_arrival>("pending_arrival", per_order_slot),
      buffer_field<&S::pending_bid_price>("pending_bid_price", per_order_slot),
      buffer_field<&S::pending_ask_price>("pending_ask_price", per_order_slot),
      buffer_field<&S::pending_bid_size>("pending_bid_size", per_order_slot),
      buffer_field<&S::pending_ask_size>("pending_ask_size", per_order_slot),
      buffer_field<&S::active_sent>("active_sent", per_env),
      buffer_field<&S::history_row>("history_row", per_frame),
      buffer_field<&S::history_agent>("history_agent", per_frame_agent_feature),
      buffer_field<&S::history_head>("history_head", per_env),
      buffer_field<&S::history_count>("history_count", per_env),
  };
  return fields;
}

std::vector<BufferDesc> output_layout(std::int64_t num_envs, const StepParams& params) {
  return describe_buffers(output_fields(), num_envs, params);
}

std::vector<BufferDesc> state_layout(std::int64_t num_envs, const StepParams& params) {
  return describe_buffers(state_fields(), num_envs, params);
}

int dtype_bytes(DType dtype) {
  switch (dtype) {
    case DType::float32: return 4;
    case DType::float64: return 8;
    case DType::int32: return 4;
    case DType::int64: return 8;
    case DType::uint64: return 8;
    case DType::uint8: return 1;
  }
  return 0;
}

std::int64_t buffer_bytes(const BufferDesc& desc) {
  std::int64_t count = 1;
  for (std::int64_t extent : desc.shape) count *= extent;
  return count * dtype_bytes(desc.dtype);
}

std::int64_t total_bytes(const std::vector<BufferDesc>& buffers) {
  std::int64_t total = 0;
  for (const BufferDesc& d : buffers) total += buffer_bytes(d);
  return total;
}

}  // namespace mmsim
