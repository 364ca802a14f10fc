// Fuzzes the end-to-end envelope codec and its two openers
// (docs/messaging.md) at the default geometry. The raw input is decoded as
// an envelope; then the input, cut or zero-padded to the envelope size, is
// decoded (whatever decodes must re-encode to exactly the same bytes), fed
// to the invitee's ratchet of the fixed contact of docs/messaging.md §7
// (restored from its encoded state each time: a failed decrypt must leave
// that state byte for byte unchanged) and to the inviter's open_handshake.
// The seed corpus holds that contact's handshake and first message, made
// independently by the script that computes the test vectors.
#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <optional>

#include "tenebra/core/sodium.hpp"
#include "tenebra/rendezvous/envelope.hpp"
#include "tenebra/rendezvous/handshake.hpp"
#include "tenebra/rendezvous/ratchet.hpp"

using namespace tenebra;
using namespace tenebra::rendezvous::session;

namespace {

const mix::sphinx::Geometry kGeometry = mix::sphinx::Geometry::default_geometry();

template <std::size_t N>
std::array<std::uint8_t, N> counting(std::uint8_t first) {
  std::array<std::uint8_t, N> out{};
  std::iota(out.begin(), out.end(), first);
  return out;
}

SecretKey32 secret_counting(std::uint8_t first) {
  const auto bytes = counting<32>(first);
  return SecretKey32(std::span<const std::uint8_t, 32>(bytes));
}

struct Fixture {
  InviteId invite_id = counting<16>(0xA0);
  SecretKey32 invite_secret = secret_counting(0x01);
  SecretKey32 seed = secret_counting(0x40);
  SecretBytes invitee_state;
};

Fixture make_fixture() {
  Fixture fixture;
  const SecretKey32 agreement_secret = secret_counting(0x60);
  IdentityPublicKeys identity{counting<32>(0x80), {}};
  crypto_scalarmult_curve25519_base(identity.agreement.data(), agreement_secret.data());
  PublicKey invite_public{};
  crypto_scalarmult_curve25519_base(invite_public.data(), fixture.invite_secret.data());
  ScriptedRandom rng;
  rng.push(counting<32>(0xC0));
  rng.push(counting<32>(0xE0));
  auto bob = accept_invite(kGeometry, fixture.invite_id, invite_public, fixture.seed, identity, agreement_secret,
                           as_bytes("surbs"), rng);
  if (!bob) std::abort();
  fixture.invitee_state = bob->ratchet.encode();
  return fixture;
}

void check_equal(const Bytes& encoded, ByteView input) {
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();
}

void check_codec(ByteView bytes) {
  auto decoded = decode_envelope(kGeometry, bytes);
  if (!decoded) return;
  auto encoded = encode_envelope(kGeometry, *decoded);
  if (!encoded) std::abort();
  check_equal(*encoded, bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool sodium_ready = init_sodium().ok();
  if (!sodium_ready) std::abort();
  static const Fixture fixture = make_fixture();
  const ByteView input(data, size);
  check_codec(input);

  const std::size_t envelope_size = envelope_bytes(kGeometry);
  Bytes envelope(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(std::min(size, envelope_size)));
  envelope.resize(envelope_size, 0);
  check_codec(envelope);

  auto ratchet = Ratchet::decode(fixture.invitee_state.view());
  if (!ratchet) std::abort();
  auto opened = ratchet->decrypt(kGeometry, envelope);
  if (opened) {
    if (opened->size() > plaintext_capacity(kGeometry)) std::abort();
  } else {
    const SecretBytes after = ratchet->encode();
    if (!std::equal(after.view().begin(), after.view().end(), fixture.invitee_state.view().begin(),
                    fixture.invitee_state.view().end())) {
      std::abort();
    }
  }
  auto handshake = open_handshake(kGeometry, fixture.invite_id, fixture.invite_secret, fixture.seed, envelope);
  if (handshake && handshake->blob.size() > handshake_blob_capacity(kGeometry)) std::abort();
  return 0;
}
