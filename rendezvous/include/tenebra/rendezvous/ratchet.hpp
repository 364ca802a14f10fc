// The forward-secret Double Ratchet of one contact (docs/messaging.md §4),
// after the Signal specification: a DH ratchet over X25519, root and chain
// KDFs as keyed BLAKE2b with distinct labels, one message key per message,
// wiped as soon as it is used. Messages travel as fixed-size envelopes
// (envelope.hpp) sealed with XChaCha20-Poly1305-IETF; the associated data
// binds the header and the session binding, a hash of both parties' keys
// from the handshake (handshake.hpp).
//
// decrypt is transactional: the state changes only when the AEAD opened and
// the plaintext was well formed; a forged, tampered or replayed envelope
// leaves it exactly as it was. Out-of-order messages are opened with skipped
// keys, at most kMaxSkippedPerChain per receiving chain (a message further
// ahead is refused with Errc::exhausted) and kMaxSkippedTotal in all (the
// oldest go first).
//
// The state encodes for the client store (strict, versioned); the encoding
// holds every current secret, so it comes back as SecretBytes, which wipes
// itself. Every secret here is wiped on every path.
//
// Thread-safety: a Ratchet belongs to one thread; SecretBytes is a value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/rendezvous/envelope.hpp"
#include "tenebra/rendezvous/secret_bytes.hpp"
#include "tenebra/rendezvous/session_constants.hpp"

namespace tenebra::rendezvous::session {

using rendezvous::SecretBytes;

// Who made the contact. The mailbox schedule uses it as the direction (each
// side fetches its own inbox), and the ratchet as who may speak first.
enum class SessionRole : std::uint8_t {
  inviter = 0x01,  // Alice: issued the invite, opened the handshake, sends first
  invitee = 0x02,  // Bob: accepted the invite, sent the handshake
};

using Binding = std::array<std::uint8_t, kBindingBytes>;

class Ratchet {
 public:
  // The inviter's state after opening the handshake: it knows the invitee's
  // first ratchet public key and may send at once.
  [[nodiscard]] static Ratchet start_as_inviter(SecretKey32 root_key, const PublicKey& invitee_ratchet,
                                                const Binding& binding);
  // The invitee's state after sending the handshake: it holds the key pair
  // whose public half went in the handshake, and may send only once the
  // inviter's first message opened (that message confirms the handshake).
  [[nodiscard]] static Ratchet start_as_invitee(SecretKey32 root_key, SecretKey32 ratchet_secret,
                                                const Binding& binding);

  Ratchet(Ratchet&&) noexcept = default;
  Ratchet& operator=(Ratchet&&) noexcept = default;
  Ratchet(const Ratchet&) = delete;
  Ratchet& operator=(const Ratchet&) = delete;
  ~Ratchet() = default;

  // An explicit copy (secrets included), for callers that keep a backup.
  [[nodiscard]] Ratchet clone() const;

  // Seals `plaintext` (at most plaintext_capacity(geometry) bytes) into one
  // envelope of envelope_bytes(geometry). Draws 32 bytes (a new ratchet key,
  // only on the first message after a received ratchet step) then a 24-byte
  // nonce from `rng`. Errc::invalid_argument when too long or when the
  // invitee has not yet heard from the inviter; the state is unchanged then.
  [[nodiscard]] Result<Bytes> encrypt(const mix::sphinx::Geometry& geometry, ByteView plaintext, Random& rng);

  // Opens one envelope. Errc::crypto when no key opens it (forged, tampered,
  // replayed, or its skipped key was dropped); Errc::exhausted when it is
  // further ahead than the skipped-key cap; Errc::malformed or unsupported
  // for bytes that are not a message envelope. On any error the state is
  // exactly as before.
  [[nodiscard]] Result<Bytes> decrypt(const mix::sphinx::Geometry& geometry, ByteView envelope);

  [[nodiscard]] SessionRole role() const noexcept { return m_role; }
  // False only for an invitee still waiting for the inviter's first message.
  [[nodiscard]] bool can_send() const noexcept { return m_remote.has_value(); }
  [[nodiscard]] std::size_t skipped_keys() const noexcept { return m_skipped.size(); }
  [[nodiscard]] const Binding& binding() const noexcept { return m_binding; }

  // docs/messaging.md §4.5. The bytes are secret: keep them only in the
  // encrypted store.
  [[nodiscard]] SecretBytes encode() const;
  // Strict: Errc::unsupported for another version, Errc::malformed for any
  // other deviation (lengths, flags, inconsistent fields, a public key that
  // does not match its secret, duplicate or too many skipped keys).
  [[nodiscard]] static Result<Ratchet> decode(ByteView encoded);

 private:
  struct KeyPair {
    SecretKey32 secret;
    PublicKey public_key{};
  };
  struct SkippedKey {
    PublicKey ratchet{};
    std::uint32_t number = 0;
    SecretKey32 key;
  };

  Ratchet(SessionRole role, const Binding& binding, SecretKey32 root) noexcept;

  [[nodiscard]] Status step_sending_chain(Random& rng);
  [[nodiscard]] Status step_receiving_chain(const MessageHeader& header);
  [[nodiscard]] Status skip_until(std::uint32_t until);
  [[nodiscard]] std::size_t skipped_in_chain(const PublicKey& ratchet) const noexcept;
  std::optional<std::size_t> find_skipped(const MessageHeader& header) const noexcept;

  static Result<Ratchet> decode_body(ByteReader& reader);

  SessionRole m_role;
  Binding m_binding{};
  SecretKey32 m_root;
  std::optional<KeyPair> m_self;         // DHs
  std::optional<PublicKey> m_remote;     // DHr
  std::optional<SecretKey32> m_send;     // CKs; empty until the next send after a received ratchet key
  std::optional<SecretKey32> m_receive;  // CKr
  std::uint32_t m_send_number = 0;       // Ns
  std::uint32_t m_receive_number = 0;    // Nr
  std::uint32_t m_previous_send = 0;     // PN
  std::vector<SkippedKey> m_skipped;     // oldest first
};

}  // namespace tenebra::rendezvous::session
