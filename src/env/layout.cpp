#include "mmsim/env/layout.hpp"

#include <algorithm>

#include "mmsim/core/error.hpp"

namespace mmsim {

std::vector<BufferDesc> output_layout(std::int64_t n, const StepParams& p) {
  const std::int64_t stack = p.stack, frame = p.frame_size;
  return {
      {"obs", DType::float32, {n, stack, frame}},
      {"final_obs", DType::float32, {n, stack, frame}},
      {"reward", DType::float32, {n}},
      {"terminated", DType::uint8, {n}},
      {"truncated", DType::uint8, {n}},
      {"pnl", DType::float64, {n}},
      {"position", DType::float64, {n}},
      {"cash", DType::float64, {n}},
      {"fees", DType::float64, {n}},
      {"bid_volume", DType::float64, {n}},
      {"ask_volume", DType::float64, {n}},
      {"bid_price", DType::float64, {n}},
      {"ask_price", DType::float64, {n}},
      {"bid_fills", DType::int32, {n}},
      {"ask_fills", DType::int32, {n}},
      {"bid_quote", DType::int64, {n}},
      {"ask_quote", DType::int64, {n}},
      {"episode_pnl", DType::float64, {n}},
      {"episode_pnl_mark", DType::float64, {n}},
      {"episode_length", DType::int32, {n}},
      {"episode_fills", DType::int32, {n}},
      {"fault", DType::int64, {3}},
  };
}

std::vector<BufferDesc> state_layout(std::int64_t n, const StepParams& p) {
  const std::int64_t stack = p.stack, slots = p.pending_slots;
  return {
      {"row", DType::int64, {n}},
      {"episode_start", DType::int64, {n}},
      {"step", DType::int32, {n}},
      {"length", DType::int32, {n}},
      {"episode", DType::int64, {n}},
      {"finished", DType::int64, {n}},
      {"cash", DType::float64, {n}},
      {"position", DType::float64, {n}},
      {"pnl", DType::float64, {n}},
      {"flat_pnl", DType::float64, {n}},
      {"fees", DType::float64, {n}},
      {"fills", DType::int32, {n}},
      {"bid_quote", DType::int64, {n}},
      {"ask_quote", DType::int64, {n}},
      {"bid_rest", DType::float64, {n}},
      {"ask_rest", DType::float64, {n}},
      {"bid_queue", DType::float64, {n}},
      {"ask_queue", DType::float64, {n}},
      {"bid_level", DType::float64, {n}},
      {"ask_level", DType::float64, {n}},
      {"pending_arrival", DType::int32, {n, slots}},
      {"pending_bid_price", DType::int64, {n, slots}},
      {"pending_ask_price", DType::int64, {n, slots}},
      {"pending_bid_size", DType::float64, {n, slots}},
      {"pending_ask_size", DType::float64, {n, slots}},
      {"active_sent", DType::int32, {n}},
      {"history_row", DType::int64, {n, stack}},
      {"history_agent", DType::float32, {n, stack, kAgentFeatures}},
      {"history_head", DType::int32, {n}},
      {"history_count", DType::int32, {n}},
  };
}

std::int64_t buffer_bytes(const BufferDesc& desc) {
  std::int64_t count = 1;
  for (std::int64_t extent : desc.shape) count *= extent;
  return count * dtype_bytes(desc.dtype);
}

void* find_buffer(const std::vector<BufferDesc>& buffers, const char* name) {
  const auto it = std::find_if(buffers.begin(), buffers.end(), [&](const BufferDesc& d) { return d.name == name; });
  MMSIM_ASSERT(it != buffers.end() && it->data != nullptr, std::string("buffer not allocated: ") + name);
  return it->data;
}

std::int64_t total_bytes(const std::vector<BufferDesc>& buffers) {
  std::int64_t total = 0;
  for (const BufferDesc& d : buffers) total += buffer_bytes(d);
  return total;
}

void bind_outputs(EnvOutputViews* o, const std::vector<BufferDesc>& b) {
  bind_buffer(&o->obs, b, "obs");
  bind_buffer(&o->final_obs, b, "final_obs");
  bind_buffer(&o->reward, b, "reward");
  bind_buffer(&o->terminated, b, "terminated");
  bind_buffer(&o->truncated, b, "truncated");
  bind_buffer(&o->pnl, b, "pnl");
  bind_buffer(&o->position, b, "position");
  bind_buffer(&o->cash, b, "cash");
  bind_buffer(&o->fees, b, "fees");
  bind_buffer(&o->bid_volume, b, "bid_volume");
  bind_buffer(&o->ask_volume, b, "ask_volume");
  bind_buffer(&o->bid_price, b, "bid_price");
  bind_buffer(&o->ask_price, b, "ask_price");
  bind_buffer(&o->bid_fills, b, "bid_fills");
  bind_buffer(&o->ask_fills, b, "ask_fills");
  bind_buffer(&o->bid_quote, b, "bid_quote");
  bind_buffer(&o->ask_quote, b, "ask_quote");
  bind_buffer(&o->episode_pnl, b, "episode_pnl");
  bind_buffer(&o->episode_pnl_mark, b, "episode_pnl_mark");
  bind_buffer(&o->episode_length, b, "episode_length");
  bind_buffer(&o->episode_fills, b, "episode_fills");
  bind_buffer(&o->fault, b, "fault");
}

void bind_state(EnvState* s, const std::vector<BufferDesc>& b) {
  bind_buffer(&s->row, b, "row");
  bind_buffer(&s->episode_start, b, "episode_start");
  bind_buffer(&s->step, b, "step");
  bind_buffer(&s->length, b, "length");
  bind_buffer(&s->episode, b, "episode");
  bind_buffer(&s->finished, b, "finished");
  bind_buffer(&s->cash, b, "cash");
  bind_buffer(&s->position, b, "position");
  bind_buffer(&s->pnl, b, "pnl");
  bind_buffer(&s->flat_pnl, b, "flat_pnl");
  bind_buffer(&s->fees, b, "fees");
  bind_buffer(&s->fills, b, "fills");
  bind_buffer(&s->bid_quote, b, "bid_quote");
  bind_buffer(&s->ask_quote, b, "ask_quote");
  bind_buffer(&s->bid_rest, b, "bid_rest");
  bind_buffer(&s->ask_rest, b, "ask_rest");
  bind_buffer(&s->bid_queue, b, "bid_queue");
  bind_buffer(&s->ask_queue, b, "ask_queue");
  bind_buffer(&s->bid_level, b, "bid_level");
  bind_buffer(&s->ask_level, b, "ask_level");
  bind_buffer(&s->pending_arrival, b, "pending_arrival");
  bind_buffer(&s->pending_bid_price, b, "pending_bid_price");
  bind_buffer(&s->pending_ask_price, b, "pending_ask_price");
  bind_buffer(&s->pending_bid_size, b, "pending_bid_size");
  bind_buffer(&s->pending_ask_size, b, "pending_ask_size");
  bind_buffer(&s->active_sent, b, "active_sent");
  bind_buffer(&s->history_row, b, "history_row");
  bind_buffer(&s->history_agent, b, "history_agent");
  bind_buffer(&s->history_head, b, "history_head");
  bind_buffer(&s->history_count, b, "history_count");
}

}  // namespace mmsim
