// LinkSession: one end of a link, from the first handshake byte to the last
// frame. Pure logic: the caller moves bytes between it and a Transport
// stream (onion/transport.hpp), and gives it randomness (Random&).
//
// Initiator: start() gives the hello; on_handshake(response) checks the
// responder's identity key (from the directory) and gives the confirm; the
// link is then established. Responder: on_handshake(hello) gives the
// response; on_handshake(confirm) checks the initiator (a node's identity,
// or an anonymous client if the policy allows it) and establishes the link.
// expected_handshake_bytes() says how many bytes to read next: every
// handshake message and every frame has a fixed size.
//
// Any error is final: the session enters `failed`, wipes its secrets and
// refuses everything after; the caller must close the stream (and should
// not answer the peer). Thread-safety: one session per link, used from one
// thread (or strand) at a time. docs/link.md is the spec.
#pragma once

#include <functional>
#include <optional>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/router/link_frame.hpp"
#include "tenebra/router/link_handshake.hpp"
#include "tenebra/router/link_identity.hpp"

namespace tenebra::router::link {

enum class LinkRole : std::uint8_t { initiator, responder };

enum class LinkState : std::uint8_t {
  initial,         // initiator: start() not called yet
  await_hello,     // responder
  await_response,  // initiator
  await_confirm,   // responder
  established,
  failed,
};

// Which initiators a responder lets in.
struct ResponderPolicy {
  bool accept_anonymous = false;  // clients (a provider's client-facing links)
  // Called with an identified initiator's key after its signature checked;
  // the link opens only if it returns true (e.g. the key is a node of the
  // current topology). Unset: every identified initiator is refused.
  std::function<bool(const IdentityPublicKey&)> accept_identity;
};

class LinkSession {
 public:
  // `self` null: an anonymous initiator (a client). `self` must outlive the
  // handshake.
  static LinkSession initiator(const LinkConfig& config, const IdentityPublicKey& responder,
                               const IdentityKeyPair* self);
  // `self` must outlive the handshake.
  static LinkSession responder(const LinkConfig& config, const IdentityKeyPair& self, ResponderPolicy policy);

  LinkRole role() const noexcept { return m_role; }
  LinkState state() const noexcept { return m_state; }
  bool established() const noexcept { return m_state == LinkState::established; }

  // Size of the next handshake message to read; 0 when none is expected.
  std::size_t expected_handshake_bytes() const noexcept;
  // Initiator, once: the hello to send.
  [[nodiscard]] Result<Bytes> start(Random& rng);
  // The peer's next handshake message; returns the bytes to send back
  // (empty for the responder's last step).
  [[nodiscard]] Result<Bytes> on_handshake(ByteView message, Random& rng);

  // Once established: the peer's identity (the responder's as expected by
  // the initiator; an identified initiator's; nullopt for an anonymous one)
  // and the transcript hash (a channel binding, equal at both ends).
  const std::optional<IdentityPublicKey>& peer_identity() const noexcept { return m_peer; }
  const TranscriptHash& handshake_hash() const noexcept { return m_handshake_hash; }

  std::size_t frame_bytes() const noexcept { return link::frame_bytes(m_config.geometry); }
  [[nodiscard]] Result<SealedFrame> seal_packet(ByteView packet);
  [[nodiscard]] Result<SealedFrame> seal_padding();
  // Acks sequence numbers of packet frames received from the peer.
  [[nodiscard]] Result<SealedFrame> seal_ack(std::span<const std::uint64_t> sequences);
  // An ack frame may only name sequence numbers this side has sealed.
  [[nodiscard]] Result<Frame> open_frame(ByteView wire);

  // Frames refused by reason (each refusal also failed the session).
  FrameDropCounters drops() const noexcept;

 private:
  LinkSession(LinkRole role, const LinkConfig& config, const IdentityPublicKey& responder);
  [[nodiscard]] Result<Bytes> step_responder(ByteView message, Random& rng);
  [[nodiscard]] Result<Bytes> step_initiator(ByteView message);
  [[nodiscard]] Error fail(Error error);
  void establish();
  [[nodiscard]] Result<SealedFrame> check_sealed(Result<SealedFrame> sealed);

  LinkRole m_role;
  LinkState m_state;
  LinkConfig m_config;
  IdentityPublicKey m_responder{};
  const IdentityKeyPair* m_self = nullptr;
  ResponderPolicy m_policy;
  HandshakeState m_handshake;
  std::optional<IdentityPublicKey> m_peer;
  TranscriptHash m_handshake_hash{};
  std::optional<FrameSealer> m_sealer;
  std::optional<FrameOpener> m_opener;
  FrameDropCounters m_drops;
};

}  // namespace tenebra::router::link
