#include "tenebra/router/status_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

namespace tenebra::router {
namespace {

using nlohmann::json;

template <typename T>
json optional_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json mix_json(const mix::MixNode& node) {
  json drops = json::object();
  for (std::size_t i = 0; i < mix::kMixDropReasons; ++i) {
    const auto reason = static_cast<mix::MixDrop>(i);
    drops[mix::mix_drop_name(reason)] = node.dropped(reason);
  }
  return {{"accepted", node.accepted()},
          {"queued", node.queued()},
          {"replay_caches", node.replay_caches()},
          {"drops", drops}};
}

json frame_drops_json(const link::FrameDropCounters& counters) {
  json drops = json::object();
  for (std::size_t i = 0; i < link::kFrameDropReasonCount; ++i) {
    const auto reason = static_cast<link::FrameDropReason>(i);
    drops[link::frame_drop_reason_name(reason)] = counters.get(reason);
  }
  return drops;
}

}  // namespace

std::string relay_status_json(const RelayNode& node, const char* role) {
  const RelayStatus status = node.status();
  const auto& pipeline = node.pipeline().counters();
  const auto& links = node.links().counters();
  const auto& acceptor = node.acceptor().counters();
  const auto& follower = node.follower().counters();
  json out = {
      {"role", role},
      {"epoch", optional_json(status.epoch)},
      {"serving_epoch", optional_json(status.installed)},
      {"mix", mix_json(node.pipeline().node())},
      {"pipeline",
       {{"forwarded", pipeline.forwarded},
        {"forward_dropped", pipeline.forward_dropped},
        {"stored", pipeline.stored},
        {"store_failures", pipeline.store_failures},
        {"drop_cover", pipeline.drop_cover},
        {"fetches", pipeline.fetches},
        {"fetch_replies", pipeline.fetch_replies},
        {"loops_sent", pipeline.loops_sent},
        {"loops_returned", pipeline.loops_returned}}},
      {"links_out",
       {{"peers", status.peers},
        {"connected", status.peers_connected},
        {"queued", status.link_queued},
        {"sent", links.sent},
        {"queue_full", links.queue_full},
        {"unknown_peer", links.unknown_peer},
        {"dial_failures", links.dial_failures},
        {"peers_forgotten", links.peers_forgotten},
        {"handshake_failures", links.handshake_failures},
        {"opened", links.links_opened},
        {"lost", links.links_lost}}},
      {"links_in",
       {{"open", status.incoming_links},
        {"accepted", acceptor.links_accepted},
        {"refused", acceptor.links_refused},
        {"handshake_failures", acceptor.handshake_failures},
        {"closed", acceptor.links_closed},
        {"packets", acceptor.packets},
        {"acks_sent", acceptor.acks_sent},
        {"frame_drops", frame_drops_json(acceptor.frame_drops)}}},
      {"directory",
       {{"uploads", follower.uploads},
        {"upload_failures", follower.upload_failures},
        {"documents", follower.documents},
        {"fetch_failures", follower.fetch_failures},
        {"refused", follower.refused}}},
  };
  return out.dump(2) + "\n";
}

std::string authority_status_json(const AuthorityNode& node) {
  const AuthorityStatus status = node.status();
  json out = {
      {"role", "authority"},
      {"epoch", optional_json(status.epoch)},
      {"last_document", optional_json(status.last_document)},
      {"last_signatures", status.last_signatures},
      {"last_providers", status.last_providers},
      {"last_mixes", status.last_mixes},
      {"connections", status.connections},
      {"connections_refused", status.connections_refused},
  };
  return out.dump(2) + "\n";
}

Status write_status_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return make_error(Errc::io, "status: cannot write " + temporary.string());
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return make_error(Errc::io, "status: write failed");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return make_error(Errc::io, "status: close failed");
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) return make_error(Errc::io, "status: rename failed: " + error.message());
  return {};
}

}  // namespace tenebra::router
