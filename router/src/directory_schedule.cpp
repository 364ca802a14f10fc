#include "tenebra/router/directory_schedule.hpp"

namespace tenebra::router::directory {
namespace {

using std::chrono::milliseconds;

milliseconds lead(const EpochSchedule& schedule, int divisor) {
  return std::chrono::duration_cast<milliseconds>(schedule.length()) / divisor;
}

}  // namespace

Result<DirectoryRound> directory_round(const EpochSchedule& schedule, Epoch target) {
  if (target == 0) return make_error(Errc::invalid_argument, "epoch 0 has no directory round; the first is epoch 1");
  auto start = schedule.start_of(target);
  if (!start) return std::move(start).error();
  auto previous = schedule.start_of(target - 1);
  if (!previous) return std::move(previous).error();
  const WallTime begin = *start;
  return DirectoryRound{
      .target = target,
      .upload_from = *previous,
      .vote_at = begin - lead(schedule, kVoteLeadDivisor),
      .tally_at = begin - lead(schedule, kTallyLeadDivisor),
      .fetch_from = begin - lead(schedule, kFetchLeadDivisor),
  };
}

Result<Epoch> next_target(const EpochSchedule& schedule, WallTime now) {
  if (now < schedule.genesis()) return Epoch{1};
  auto current = schedule.epoch_at(now);
  if (!current) return std::move(current).error();
  auto round = directory_round(schedule, *current + 1);
  if (!round) return std::move(round).error();
  if (now < round->vote_at) return *current + 1;
  return *current + 2;
}

Result<Epoch> fetch_target(const EpochSchedule& schedule, WallTime now) {
  auto current = schedule.epoch_at(now);
  if (!current) return std::move(current).error();
  auto round = directory_round(schedule, *current + 1);
  if (!round) return std::move(round).error();
  if (now >= round->fetch_from) return *current + 1;
  if (*current == 0) return make_error(Errc::not_found, "no document exists before epoch 1");
  return *current;
}

}  // namespace tenebra::router::directory
