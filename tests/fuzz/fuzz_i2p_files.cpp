// Fuzzes the readers of I2P files Tenebra reads back from disk: the
// persisted private destination (i2p_destination.key) and the router.info
// files that seed a test node's netDb. Checks: nothing crashes; a private
// destination that is accepted yields a public destination that checks out
// and is a prefix of it in decoded form; a netDb name has the fixed shape
// "r<c>/routerInfo-<44 chars>.dat" with c the hash's first character.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tenebra/onion/i2p_destination.hpp"
#include "tenebra/onion/i2p_files.hpp"

using namespace tenebra;
using namespace tenebra::onion::sam;

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto pub = public_of_private(text); pub.ok()) {
    check(check_private_destination(text).ok());
    check(check_public_destination(*pub).ok());
    auto whole = decode_i2p_base64(text);
    auto head = decode_i2p_base64(*pub);
    check(whole.ok() && head.ok() && head->size() < whole->size());
    check(std::equal(head->begin(), head->end(), whole->begin()));
  }

  if (auto name = netdb_file_name(input); name.ok()) {
    constexpr std::size_t kHashChars = 44;
    check(size <= kMaxRouterInfoBytes);
    check(name->size() == 2 + 12 + kHashChars + 4);
    check(name->substr(0, 1) == "r" && name->substr(2, 12) == "/routerInfo-" && name->ends_with(".dat"));
    check((*name)[1] == (*name)[14]);
    check(is_i2p_base64(name->substr(14, kHashChars)));
  }
  return 0;
}
