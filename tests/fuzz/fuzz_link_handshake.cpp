// Fuzzes the link handshake. A responder (fixed identity, deterministic
// randomness) takes the first kHelloBytes of the input as a hello and the
// rest as a confirm; an initiator takes the whole input as a response. Each
// message is also fed at whatever length it has. Nothing may crash, a failed
// session must stay failed, and an established one must frame correctly.
#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "tenebra/router/link_session.hpp"

using namespace tenebra;
using namespace tenebra::router::link;

namespace {

const IdentityKeyPair& responder_identity() {
  static const IdentityKeyPair pair = [] {
    if (sodium_init() < 0) std::abort();
    std::array<std::uint8_t, kIdentitySeedBytes> seed{};
    seed.fill(0x42);
    return IdentityKeyPair::from_seed(seed);
  }();
  return pair;
}

ResponderPolicy open_policy() {
  ResponderPolicy policy;
  policy.accept_anonymous = true;
  policy.accept_identity = [](const IdentityPublicKey&) { return true; };
  return policy;
}

void check_established(LinkSession& session) {
  if (!session.established()) return;
  auto sealed = session.seal_padding();
  if (!sealed || sealed->bytes.size() != session.frame_bytes()) std::abort();
}

void check_failed_stays_failed(LinkSession& session, ByteView input, Random& rng) {
  if (session.state() != LinkState::failed) return;
  if (session.on_handshake(input, rng).ok() || session.seal_padding().ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const LinkConfig config{};
  const ByteView input(data, size);
  {
    DeterministicRandom rng(1);
    auto responder = LinkSession::responder(config, responder_identity(), open_policy());
    const ByteView hello = input.first(std::min(size, kHelloBytes));
    auto response = responder.on_handshake(hello, rng);
    if (response) {
      if (response->size() != kResponseBytes) std::abort();
      auto last = responder.on_handshake(input.subspan(hello.size()), rng);
      if (last && !responder.established()) std::abort();
      check_established(responder);
    }
    check_failed_stays_failed(responder, input, rng);
  }
  {
    DeterministicRandom rng(2);
    auto initiator = LinkSession::initiator(config, responder_identity().public_key, nullptr);
    if (!initiator.start(rng)) std::abort();
    auto confirm = initiator.on_handshake(input, rng);
    if (confirm && confirm->size() != kConfirmBytes) std::abort();
    check_established(initiator);
    check_failed_stays_failed(initiator, input, rng);
  }
  return 0;
}
