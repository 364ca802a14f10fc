#include "tenebra/router/link_session.hpp"

#include <algorithm>
#include <utility>

namespace tenebra::router::link {
namespace {

Error not_ready() {
  return make_error(Errc::closed, "link is not established");
}

}  // namespace

LinkSession::LinkSession(LinkRole role, const LinkConfig& config, const IdentityPublicKey& responder)
    : m_role(role),
      m_state(role == LinkRole::initiator ? LinkState::initial : LinkState::await_hello),
      m_config(config),
      m_responder(responder),
      m_handshake(HandshakeState::make(config, responder)) {}

LinkSession LinkSession::initiator(const LinkConfig& config, const IdentityPublicKey& responder,
                                   const IdentityKeyPair* self) {
  LinkSession session(LinkRole::initiator, config, responder);
  session.m_self = self;
  return session;
}

LinkSession LinkSession::responder(const LinkConfig& config, const IdentityKeyPair& self, ResponderPolicy policy) {
  LinkSession session(LinkRole::responder, config, self.public_key);
  session.m_self = &self;
  session.m_policy = std::move(policy);
  return session;
}

std::size_t LinkSession::expected_handshake_bytes() const noexcept {
  switch (m_state) {
    case LinkState::await_hello:
      return kHelloBytes;
    case LinkState::await_response:
      return kResponseBytes;
    case LinkState::await_confirm:
      return kConfirmBytes;
    default:
      return 0;
  }
}

Error LinkSession::fail(Error error) {
  m_state = LinkState::failed;
  m_handshake = HandshakeState{};  // moved-from secrets are wiped
  m_sealer.reset();
  m_opener.reset();
  return error;
}

Result<Bytes> LinkSession::start(Random& rng) {
  if (m_state != LinkState::initial) return make_error(Errc::invalid_argument, "link handshake already started");
  m_state = LinkState::await_response;
  return write_hello(m_handshake, rng);
}

Result<Bytes> LinkSession::on_handshake(ByteView message, Random& rng) {
  if (m_state == LinkState::failed) return make_error(Errc::closed, "link has failed");
  if (expected_handshake_bytes() == 0) return fail(make_error(Errc::invalid_argument, "no handshake message expected"));
  return m_role == LinkRole::responder ? step_responder(message, rng) : step_initiator(message);
}

Result<Bytes> LinkSession::step_initiator(ByteView message) {
  if (auto ok = read_response(m_handshake, message, m_responder); !ok) return fail(std::move(ok).error());
  Bytes confirm = write_confirm(m_handshake, m_self);
  m_peer = m_responder;
  establish();
  return confirm;
}

Result<Bytes> LinkSession::step_responder(ByteView message, Random& rng) {
  if (m_state == LinkState::await_hello) {
    if (auto ok = read_hello(m_handshake, message); !ok) return fail(std::move(ok).error());
    auto response = write_response(m_handshake, *m_self, rng);
    if (!response) return fail(std::move(response).error());
    m_state = LinkState::await_confirm;
    return response;
  }
  auto identity = read_confirm(m_handshake, message);
  if (!identity) return fail(std::move(identity).error());
  const bool accepted = identity->has_value() ? (m_policy.accept_identity && m_policy.accept_identity(**identity))
                                              : m_policy.accept_anonymous;
  if (!accepted) return fail(make_error(Errc::crypto, "link peer not accepted"));
  m_peer = *identity;
  establish();
  return Bytes{};
}

void LinkSession::establish() {
  SessionKeys keys = split(m_handshake);
  m_handshake_hash = keys.handshake_hash;
  const bool initiator = m_role == LinkRole::initiator;
  m_sealer.emplace(m_config.geometry,
                   initiator ? std::move(keys.initiator_to_responder) : std::move(keys.responder_to_initiator));
  m_opener.emplace(m_config.geometry,
                   initiator ? std::move(keys.responder_to_initiator) : std::move(keys.initiator_to_responder));
  m_self = nullptr;
  m_state = LinkState::established;
}

Result<SealedFrame> LinkSession::check_sealed(Result<SealedFrame> sealed) {
  if (!sealed && sealed.error().code == Errc::exhausted) return fail(std::move(sealed).error());
  return sealed;
}

Result<SealedFrame> LinkSession::seal_packet(ByteView packet) {
  if (!established()) return not_ready();
  return check_sealed(m_sealer->seal_packet(packet));
}

Result<SealedFrame> LinkSession::seal_padding() {
  if (!established()) return not_ready();
  return check_sealed(m_sealer->seal_padding());
}

Result<SealedFrame> LinkSession::seal_ack(std::span<const std::uint64_t> sequences) {
  if (!established()) return not_ready();
  return check_sealed(m_sealer->seal_ack(sequences));
}

Result<Frame> LinkSession::open_frame(ByteView wire) {
  if (!established()) {
    m_drops.count(FrameDropReason::closed);
    return not_ready();
  }
  auto frame = m_opener->open(wire);
  if (!frame) {
    m_drops.add(m_opener->drops());
    return fail(std::move(frame).error());
  }
  const std::uint64_t sealed = m_sealer->next_counter();
  if (std::any_of(frame->acks.begin(), frame->acks.end(), [sealed](std::uint64_t s) { return s >= sealed; })) {
    m_drops.count(FrameDropReason::bad_body);
    return fail(make_error(Errc::malformed, "link frame body is invalid"));
  }
  return frame;
}

FrameDropCounters LinkSession::drops() const noexcept {
  FrameDropCounters out = m_drops;
  if (m_opener) out.add(m_opener->drops());
  return out;
}

}  // namespace tenebra::router::link
