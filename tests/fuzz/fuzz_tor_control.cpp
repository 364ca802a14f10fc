// Fuzzes the Tor control reply parser and every typed reader behind it.
// The input is cut into chunks whose sizes come from the input itself, so
// framing across arbitrary read boundaries is exercised. Checks: nothing
// crashes; every reply the parser yields respects the caps it was given and
// the shape of control-spec §2.3; command replies and events never mix; a
// dead parser stays dead; QuotedString encoding round-trips.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tenebra/onion/tor_control_events.hpp"
#include "tenebra/onion/tor_control_fields.hpp"
#include "tenebra/onion/tor_control_messages.hpp"
#include "tenebra/onion/tor_control_reply.hpp"

using namespace tenebra;
using namespace tenebra::onion::tor;

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

void check_reply(const Reply& reply, const ReplyLimits& limits, bool event_queue) {
  check(!reply.lines.empty());
  check(reply.lines.size() <= limits.max_lines_per_reply);
  check(reply.status >= 200 && reply.status <= 699);
  check(reply.is_event() == event_queue);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < reply.lines.size(); ++i) {
    const ReplyLine& line = reply.lines[i];
    const bool last = i + 1 == reply.lines.size();
    check(last == (line.separator == ' '));
    check(line.separator == ' ' || line.separator == '-' || line.separator == '+');
    check(line.text.size() + 4 <= limits.max_line_bytes);
    check(line.data.size() <= limits.max_data_block_bytes);
    check(line.has_data() || line.data.empty());
    check(line.text.find('\n') == std::string::npos && line.text.find('\r') == std::string::npos);
    bytes += line.text.size() + line.data.size();
  }
  check(bytes <= limits.max_reply_bytes);
}

void exercise_readers(const Reply& reply) {
  (void)check_success(reply);
  (void)parse_protocolinfo(reply);
  (void)parse_authchallenge(reply);
  if (auto onion = parse_add_onion(reply); onion.ok()) check(onion->service_id.size() == kServiceIdChars);
  if (auto entries = parse_getinfo(reply); entries.ok()) {
    for (const GetinfoEntry& entry : *entries) {
      if (auto phase = parse_bootstrap_phase(entry.value); phase.ok()) {
        check(phase->progress >= 0 && phase->progress <= 100);
      }
    }
  }
  if (auto status = parse_status_client(reply); status.ok() && status->bootstrap) {
    check(status->bootstrap->progress >= 0 && status->bootstrap->progress <= 100);
  }
  (void)parse_hs_desc(reply);
  (void)event_name(reply);
  for (const ReplyLine& line : reply.lines) {
    auto fields = parse_fields(line.text);
    if (!fields) continue;
    for (const Field& field : fields->named) {
      // Every decoded value quotes and decodes back to itself.
      std::size_t consumed = 0;
      const std::string quoted = quote(field.value);
      auto again = parse_quoted_string(quoted, consumed);
      check(again.ok() && *again == field.value && consumed == quoted.size());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // First byte: small caps or the defaults. Second byte: chunk size seed.
  ReplyLimits limits;
  if ((data[0] & 1) != 0) {
    limits.max_line_bytes = 64 + data[0];
    limits.max_lines_per_reply = 1 + (data[0] >> 4);
    limits.max_reply_bytes = 256;
    limits.max_data_block_bytes = 128;
  }
  const std::size_t chunk_seed = data[1];
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  ReplyParser parser(limits);
  bool failed = false;
  std::size_t pos = 0;
  std::size_t step = 0;
  while (pos < input.size()) {
    const std::size_t chunk = 1 + ((chunk_seed * 31 + step * 17) % 97);
    const std::string_view piece = input.substr(pos, chunk);
    pos += piece.size();
    ++step;
    const bool ok = parser.feed(piece).ok();
    if (failed) check(!ok);  // a dead parser stays dead
    if (!ok) {
      failed = true;
      check(parser.failed());
    }
    while (auto reply = parser.next_reply()) {
      check_reply(*reply, limits, false);
      exercise_readers(*reply);
    }
    while (auto event = parser.next_event()) {
      check_reply(*event, limits, true);
      exercise_readers(*event);
    }
  }
  return 0;
}
