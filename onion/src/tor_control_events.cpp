#include "tenebra/onion/tor_control_events.hpp"

#include <algorithm>
#include <utility>

#include "tenebra/onion/service_id.hpp"
#include "tenebra/onion/tor_control_fields.hpp"

namespace tenebra::onion::tor {
namespace {

constexpr int kMaxProgress = 100;

Error malformed(const char* what, const char* problem) {
  return make_error(Errc::malformed, std::string(what) + ": " + problem);
}

std::optional<Severity> parse_severity(std::string_view word) {
  if (word == "NOTICE") return Severity::notice;
  if (word == "WARN") return Severity::warn;
  if (word == "ERR") return Severity::err;
  return std::nullopt;
}

bool is_tag_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// 1 to 3 decimal digits, at most 100.
std::optional<int> parse_progress(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > kMaxProgress) return std::nullopt;
  return value;
}

// The first word of `text` and what follows its space.
std::pair<std::string_view, std::string_view> split_word(std::string_view text) {
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos) return {text, {}};
  return {text.substr(0, space), text.substr(space + 1)};
}

std::optional<std::string> optional_field(const Fields& fields, std::string_view key) {
  if (const std::string* value = fields.find(key)) return *value;
  return std::nullopt;
}

Result<std::string_view> single_line_event(const Reply& event, std::string_view name, const char* what) {
  if (!event.is_event() || event.lines.size() != 1) return malformed(what, "not a single-line event");
  const std::string_view text = event.lines.front().text;
  const auto [first, rest] = split_word(text);
  if (first != name) return malformed(what, "event has another name");
  return rest;
}

std::optional<HsDescAction> parse_hs_desc_action(std::string_view word) {
  if (word == "REQUESTED") return HsDescAction::requested;
  if (word == "UPLOAD") return HsDescAction::upload;
  if (word == "RECEIVED") return HsDescAction::received;
  if (word == "UPLOADED") return HsDescAction::uploaded;
  if (word == "IGNORE") return HsDescAction::ignore;
  if (word == "FAILED") return HsDescAction::failed;
  if (word == "CREATED") return HsDescAction::created;
  return std::nullopt;
}

}  // namespace

std::string_view event_name(const Reply& reply) noexcept {
  if (!reply.is_event() || reply.lines.empty()) return {};
  return split_word(reply.lines.front().text).first;
}

Result<BootstrapPhase> parse_bootstrap_phase(std::string_view text) {
  constexpr const char* kWhat = "bootstrap phase";
  auto fields = parse_fields(text);
  if (!fields) return std::move(fields).error();
  if (fields->words.size() < 2 || fields->words[1] != "BOOTSTRAP") return malformed(kWhat, "not a BOOTSTRAP status");
  BootstrapPhase phase;
  const auto severity = parse_severity(fields->words[0]);
  if (!severity) return malformed(kWhat, "unknown severity");
  phase.severity = *severity;

  const std::string* progress = fields->find("PROGRESS");
  const std::string* tag = fields->find("TAG");
  const std::string* summary = fields->find("SUMMARY");
  if (progress == nullptr || tag == nullptr || summary == nullptr) {
    return malformed(kWhat, "PROGRESS, TAG or SUMMARY missing");
  }
  const auto value = parse_progress(*progress);
  if (!value) return malformed(kWhat, "PROGRESS is not a number from 0 to 100");
  phase.progress = *value;
  if (tag->empty() || !std::all_of(tag->begin(), tag->end(), is_tag_char)) return malformed(kWhat, "bad TAG");
  phase.tag = *tag;
  phase.summary = *summary;
  phase.warning = optional_field(*fields, "WARNING");
  phase.reason = optional_field(*fields, "REASON");
  phase.recommendation = optional_field(*fields, "RECOMMENDATION");
  return phase;
}

Result<StatusClientEvent> parse_status_client(const Reply& event) {
  constexpr const char* kWhat = "STATUS_CLIENT";
  auto rest = single_line_event(event, "STATUS_CLIENT", kWhat);
  if (!rest) return std::move(rest).error();
  const auto [severity_word, after_severity] = split_word(*rest);
  const auto severity = parse_severity(severity_word);
  if (!severity) return malformed(kWhat, "unknown severity");
  const std::string_view action = split_word(after_severity).first;
  if (action.empty()) return malformed(kWhat, "no action");

  StatusClientEvent parsed;
  parsed.severity = *severity;
  parsed.action.assign(action);
  if (action == "BOOTSTRAP") {
    auto phase = parse_bootstrap_phase(*rest);
    if (!phase) return std::move(phase).error();
    parsed.bootstrap = std::move(*phase);
  }
  return parsed;
}

Result<HsDescEvent> parse_hs_desc(const Reply& event) {
  constexpr const char* kWhat = "HS_DESC";
  auto rest = single_line_event(event, "HS_DESC", kWhat);
  if (!rest) return std::move(rest).error();
  auto fields = parse_fields(*rest);
  if (!fields) return std::move(fields).error();
  const auto& words = fields->words;
  if (words.size() < 4) return malformed(kWhat, "fewer than 4 positional arguments");
  const auto action = parse_hs_desc_action(words[0]);
  if (!action) return make_error(Errc::unsupported, "HS_DESC: unknown action");

  HsDescEvent parsed;
  parsed.action = *action;
  if (words[1] != "UNKNOWN") {
    if (!is_valid_service_id(words[1])) return malformed(kWhat, "address is not a v3 service id");
    parsed.address = words[1];
  }
  parsed.auth_type = words[2];
  parsed.hs_dir = words[3];
  if (words.size() > 4) parsed.descriptor_id = words[4];
  parsed.reason = optional_field(*fields, "REASON");
  return parsed;
}

}  // namespace tenebra::onion::tor
