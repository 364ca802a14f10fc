#include "tenebra/router/provider_select.hpp"

#include <sodium.h>

namespace tenebra::router::directory {

SelectionScore provider_score(const MailboxId& mailbox, const IdentityKey& provider) {
  static_assert(sizeof(kLabelProviderSelect) == crypto_generichash_blake2b_PERSONALBYTES);
  SelectionScore score{};
  crypto_generichash_blake2b_salt_personal(score.data(), score.size(), provider.data(), provider.size(), mailbox.data(),
                                           mailbox.size(), nullptr,
                                           reinterpret_cast<const unsigned char*>(kLabelProviderSelect.data()));
  return score;
}

Result<std::size_t> select_provider_index(std::span<const Descriptor> providers, const MailboxId& mailbox) {
  if (providers.empty()) return make_error(Errc::not_found, "the topology has no provider");
  std::size_t best = 0;
  SelectionScore best_score = provider_score(mailbox, providers[0].identity);
  for (std::size_t i = 1; i < providers.size(); ++i) {
    const SelectionScore score = provider_score(mailbox, providers[i].identity);
    // Ties (never seen in practice) go to the smaller identity.
    if (score > best_score || (score == best_score && providers[i].identity < providers[best].identity)) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

Result<Descriptor> select_provider(const Topology& topology, const MailboxId& mailbox) {
  auto index = select_provider_index(topology.providers, mailbox);
  if (!index) return std::move(index).error();
  return topology.providers[*index];
}

}  // namespace tenebra::router::directory
