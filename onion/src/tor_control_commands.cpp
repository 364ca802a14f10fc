#include "tenebra/onion/tor_control_commands.hpp"

#include <sodium.h>

#include <algorithm>

#include "encoding.hpp"
#include "tenebra/onion/service_id.hpp"
#include "tenebra/onion/tor_control_fields.hpp"

namespace tenebra::onion::tor {
namespace {

constexpr std::size_t kMaxArgumentBytes = 1024;
constexpr std::string_view kCrlf = "\r\n";

Error invalid(const char* problem) {
  return make_error(Errc::invalid_argument, std::string("tor control command: ") + problem);
}

bool is_alnum(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

template <typename Pred>
bool all_of_bounded(std::string_view text, Pred pred) {
  return !text.empty() && text.size() <= kMaxArgumentBytes && std::all_of(text.begin(), text.end(), pred);
}

bool is_config_key(std::string_view key) {
  return all_of_bounded(key, [](char c) { return is_alnum(c) || c == '_'; });
}

bool is_getinfo_key(std::string_view key) {
  return all_of_bounded(key,
                        [](char c) { return is_alnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == ':'; });
}

bool is_event_name(std::string_view name) {
  return all_of_bounded(name, [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
}

bool is_port_target(std::string_view target) {
  return all_of_bounded(target,
                        [](char c) { return is_alnum(c) || c == '.' || c == ':' || c == '/' || c == '_' || c == '-'; });
}

}  // namespace

std::string protocolinfo_command() {
  return "PROTOCOLINFO 1\r\n";
}
std::string takeownership_command() {
  return "TAKEOWNERSHIP\r\n";
}
std::string reset_owning_controller_command() {
  return "RESETCONF __OwningControllerProcess\r\n";
}
std::string signal_newnym_command() {
  return "SIGNAL NEWNYM\r\n";
}

Result<std::string> getinfo_command(std::span<const std::string> keys) {
  if (keys.empty()) return invalid("GETINFO without keys");
  std::string line = "GETINFO";
  for (const std::string& key : keys) {
    if (!is_getinfo_key(key)) return invalid("GETINFO key has a character outside [A-Za-z0-9/-_.:]");
    line += ' ';
    line += key;
  }
  line += kCrlf;
  return line;
}

Result<std::string> setconf_command(std::span<const ConfigSetting> settings) {
  if (settings.empty()) return invalid("SETCONF without settings");
  std::string line = "SETCONF";
  for (const ConfigSetting& setting : settings) {
    if (!is_config_key(setting.key)) return invalid("SETCONF key has a character outside [A-Za-z0-9_]");
    if (setting.value.size() > kMaxArgumentBytes) return invalid("SETCONF value too long");
    line += ' ';
    line += setting.key;
    line += '=';
    line += quote(setting.value);
  }
  line += kCrlf;
  return line;
}

Result<std::string> setevents_command(std::span<const std::string> events) {
  std::string line = "SETEVENTS";
  for (const std::string& event : events) {
    if (!is_event_name(event)) return invalid("event name has a character outside [A-Z_]");
    line += ' ';
    line += event;
  }
  line += kCrlf;
  return line;
}

Result<std::string> add_onion_command(const SecretArray<kEd25519V3SecretKeyBytes>* key, bool discard_key,
                                      std::span<const OnionPort> ports) {
  if (ports.empty()) return invalid("ADD_ONION without ports");
  // Everything after the key first, so the line holding the key is built
  // in one reserved buffer and never reallocated (which would leave an
  // unwiped copy behind).
  // DiscardPK only means something for a key tor generates.
  std::string tail = discard_key && key == nullptr ? " Flags=DiscardPK" : "";
  for (const OnionPort& port : ports) {
    if (port.virtual_port == 0) return invalid("ADD_ONION virtual port 0");
    if (!is_port_target(port.target)) return invalid("ADD_ONION target has a character outside [A-Za-z0-9.:/_-]");
    tail += " Port=" + std::to_string(port.virtual_port) + "," + port.target;
  }
  tail += kCrlf;

  std::string encoded_key = key == nullptr ? std::string() : detail::base64_encode(key->view());
  std::string line;
  line.reserve(32 + encoded_key.size() + tail.size());
  line += "ADD_ONION ";
  if (key == nullptr) {
    line += "NEW:ED25519-V3";
  } else {
    line += kEd25519V3KeyPrefix;
    line += encoded_key;
    sodium_memzero(encoded_key.data(), encoded_key.size());
  }
  line += tail;
  return line;
}

Result<std::string> del_onion_command(std::string_view service_id) {
  if (!is_valid_service_id(service_id)) return invalid("DEL_ONION needs a v3 service id");
  return "DEL_ONION " + std::string(service_id) + "\r\n";
}

Result<std::string> hsfetch_command(std::string_view service_id) {
  if (!is_valid_service_id(service_id)) return invalid("HSFETCH needs a v3 service id");
  return "HSFETCH " + std::string(service_id) + "\r\n";
}

}  // namespace tenebra::onion::tor
