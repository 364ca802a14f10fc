// Fuzzes the SOCKS5 reply readers. Checks: nothing crashes; the incremental
// CONNECT reply reader is consistent: every prefix of a complete reply asks
// for more bytes without overshooting the reply, every longer buffer yields
// the same reply, and a prefix never fails where the whole succeeds; the
// fixed-size readers accept only 2-byte inputs; host names the builder
// accepts encode to exactly 7 + length bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "tenebra/onion/socks5.hpp"

using namespace tenebra;
using namespace tenebra::onion::socks5;

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);

  auto whole = parse_connect_reply(input);
  if (whole.ok() && std::holds_alternative<ConnectReply>(*whole)) {
    const ConnectReply reply = std::get<ConnectReply>(*whole);
    // The shortest reply has a 1-byte domain: header 4, length 1, name 1, port 2.
    check(reply.size >= kReplyHeaderBytes + 2 + kPortBytes && reply.size <= size);
    (void)describe_failure(reply.code);
    (void)failure_error(reply.code);
    for (std::size_t n = 0; n < reply.size; ++n) {
      auto prefix = parse_connect_reply(input.first(n));
      check(prefix.ok() && std::holds_alternative<NeedMore>(*prefix));
      const std::size_t need = std::get<NeedMore>(*prefix).bytes;
      check(need >= 1 && n + need <= reply.size);
    }
    auto exact = parse_connect_reply(input.first(reply.size));
    check(exact.ok() && std::holds_alternative<ConnectReply>(*exact) &&
          std::get<ConnectReply>(*exact).size == reply.size && std::get<ConnectReply>(*exact).code == reply.code);
  } else if (whole.ok()) {
    check(std::get<NeedMore>(*whole).bytes >= 1);
  }

  for (bool credentials : {false, true}) {
    if (parse_method_selection(input, credentials).ok()) check(size == kMethodSelectionBytes);
  }
  if (parse_auth_reply(input).ok()) check(size == kAuthReplyBytes);

  const std::string_view host(reinterpret_cast<const char*>(data), size);
  if (auto request = build_connect_request(host, 443); request.ok()) check(request->size() == 7 + size);
  if (size >= 2) {
    const std::string_view user = host.substr(0, size / 2);
    const std::string_view pass = host.substr(size / 2);
    if (auto request = build_auth_request(user, pass); request.ok()) check(request->size() == 3 + size);
  }
  return 0;
}
