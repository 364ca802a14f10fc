// Fuzzes SAM v3 reply framing, tokenizing and the typed readers, plus the
// I2P base64 and destination checks behind them. Checks: nothing crashes;
// framing never reports a line longer than the cap or past the buffer; a
// parsed reply has upper-case topics, unique keys and at most the field cap;
// accepted base64 re-encodes to the same text (one spelling per value); a
// destination the readers accept always yields a 60-character b32 address.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tenebra/onion/i2p_destination.hpp"
#include "tenebra/onion/sam_reply.hpp"
#include "tenebra/onion/sam_request.hpp"

using namespace tenebra;
using namespace tenebra::onion::sam;

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

bool is_upper_word(const std::string& word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

void check_public(const std::string& destination) {
  check(check_public_destination(destination).ok());
  auto address = b32_address(destination);
  check(address.ok() && address->size() == kB32HashChars + kB32Suffix.size());
  check(build_stream_connect("fuzz", destination).ok());
}

void exercise_readers(const Reply& reply) {
  check(is_upper_word(reply.topic) && is_upper_word(reply.subtopic));
  check(reply.fields.size() <= kMaxFieldsPerLine);
  for (std::size_t i = 0; i < reply.fields.size(); ++i) {
    check(!reply.fields[i].key.empty());
    for (std::size_t j = i + 1; j < reply.fields.size(); ++j) check(reply.fields[i].key != reply.fields[j].key);
  }
  if (auto hello = parse_hello_reply(reply); hello.ok()) check(hello->version == "3.1" || hello->version == "3.0");
  if (auto session = parse_session_status(reply); session.ok() && session->destination) {
    check(check_private_destination(*session->destination).ok());
    check(build_session_create("fuzz", *session->destination, TunnelOptions{}).ok());
  }
  (void)parse_stream_status(reply);
  if (auto dest = parse_dest_reply(reply); dest.ok()) {
    check_public(dest->pub);
    check(check_private_destination(dest->priv).ok());
  }
  if (auto naming = parse_naming_reply(reply); naming.ok() && naming->result == NamingResult::ok) {
    check_public(naming->value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto end = find_line_end(input);
  if (end.ok() && end->has_value()) {
    const std::size_t length = **end;
    check(length >= 1 && length <= size && length <= kMaxLineBytes + 2);
    check(data[length - 1] == '\n');
    const std::string_view line = text.substr(0, length);
    if (auto reply = parse_reply(line); reply.ok()) exercise_readers(*reply);
    if (auto peer = parse_accepted_peer(line); peer.ok()) check_public(*peer);
  } else if (!end.ok()) {
    check(size >= kMaxLineBytes + 2);
  }

  // The whole input as one line, and as base64.
  if (auto reply = parse_reply(text); reply.ok()) exercise_readers(*reply);
  if (auto decoded = decode_i2p_base64(text); decoded.ok()) {
    check(encode_i2p_base64(*decoded) == text);
    if (check_public_destination(text).ok()) check_public(std::string(text));
  }
  return 0;
}
