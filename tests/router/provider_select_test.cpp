// Provider selection by rendezvous hashing: deterministic, independent of
// list order, stable when other providers come and go, and roughly uniform.
#include "tenebra/router/provider_select.hpp"

#include <gtest/gtest.h>

#include <map>

#include "directory_vectors_fixtures.hpp"

namespace tenebra::router::directory {
namespace {

std::vector<Descriptor> providers(std::uint8_t count) {
  std::vector<Descriptor> out;
  for (std::uint8_t i = 0; i < count; ++i) out.push_back(testing::make_node(Role::provider, 0, 0x10, i, 4));
  return out;
}

MailboxId mailbox(Random& rng) {
  MailboxId id{};
  rng.fill(id);
  return id;
}

TEST(ProviderSelect, EmptyListIsNotFound) {
  EXPECT_EQ(select_provider_index({}, MailboxId{}).error().code, Errc::not_found);
}

TEST(ProviderSelect, IndependentOfListOrder) {
  auto list = providers(6);
  auto reversed = list;
  std::reverse(reversed.begin(), reversed.end());
  DeterministicRandom rng(7);
  for (int i = 0; i < 200; ++i) {
    const auto id = mailbox(rng);
    EXPECT_EQ(list[select_provider_index(list, id).value()].identity,
              reversed[select_provider_index(reversed, id).value()].identity);
  }
}

TEST(ProviderSelect, RemovingALoserMovesNothing) {
  auto list = providers(6);
  DeterministicRandom rng(8);
  for (int i = 0; i < 200; ++i) {
    const auto id = mailbox(rng);
    const auto winner = list[select_provider_index(list, id).value()].identity;
    for (std::size_t drop = 0; drop < list.size(); ++drop) {
      if (list[drop].identity == winner) continue;
      auto smaller = list;
      smaller.erase(smaller.begin() + static_cast<std::ptrdiff_t>(drop));
      EXPECT_EQ(smaller[select_provider_index(smaller, id).value()].identity, winner);
    }
  }
}

TEST(ProviderSelect, SpreadsMailboxesEvenly) {
  const auto list = providers(4);
  DeterministicRandom rng(9);
  std::map<std::size_t, int> counts;
  for (int i = 0; i < 4000; ++i) ++counts[select_provider_index(list, mailbox(rng)).value()];
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [index, count] : counts) {
    EXPECT_GT(count, 850) << index;
    EXPECT_LT(count, 1150) << index;
  }
}

TEST(ProviderSelect, SelectsFromTopology) {
  const Topology t = testing::make_topology(4, 3);
  const MailboxId id{1, 2, 3};
  const auto chosen = select_provider(t, id).value();
  EXPECT_EQ(chosen, t.providers[select_provider_index(t.providers, id).value()]);
  EXPECT_NE(provider_score(id, t.providers[0].identity), provider_score(id, t.providers[1].identity));
}

}  // namespace
}  // namespace tenebra::router::directory
