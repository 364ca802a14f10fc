// Fuzzes the invite codecs (docs/rendezvous.md §3-§5). The input is decoded
// as invite text (URI or QR form); whatever decodes must re-encode to exactly
// the same string in the case it came in. The raw bytes are also decoded as
// a binary invite and as an invite-book record, each of which must
// re-encode to the same bytes. Nothing may crash.
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "tenebra/core/sodium.hpp"
#include "tenebra/rendezvous/invite.hpp"
#include "tenebra/rendezvous/invite_book.hpp"

using namespace tenebra;
using namespace tenebra::rendezvous;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool sodium_ready = init_sodium().ok();
  if (!sodium_ready) std::abort();
  const ByteView input(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto invite = decode_invite_text(text); invite) {
    const bool upper = std::ranges::any_of(text, [](char c) { return c >= 'A' && c <= 'Z'; });
    const std::string again = encode_invite_text(*invite, upper ? InviteTextForm::qr : InviteTextForm::uri);
    if (again != text) std::abort();
    if (!check_invite_fields(*invite)) std::abort();
  }
  if (auto invite = decode_invite_binary(input); invite) {
    const Bytes again = encode_invite_binary(*invite);
    if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) std::abort();
  }
  if (auto record = decode_invite_record(input); record) {
    const Bytes again = encode_invite_record(*record);
    if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) std::abort();
  }
  return 0;
}
