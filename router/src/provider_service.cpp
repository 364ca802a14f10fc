#include "tenebra/router/provider_service.hpp"

namespace tenebra::router::provider {

Result<ProviderAction> ProviderService::on_deliver(const mix::sphinx::Deliver& deliver,
                                                   std::chrono::system_clock::time_point now) {
  auto request = decode_provider_payload(m_geometry, deliver.payload);
  if (!request) return std::move(request).error();
  if (std::holds_alternative<DropRequest>(*request)) return ProviderAction(Discarded{});
  if (auto* store = std::get_if<StoreRequest>(&*request)) {
    const Bytes item = encode_stored_item(StoredData{std::move(store->data)});
    if (auto put = m_store->put(deliver.mailbox, item, now); !put) return std::move(put).error();
    return ProviderAction(Stored{});
  }
  return answer_fetch(deliver.mailbox, std::get<FetchRequest>(*request));
}

Result<ProviderAction> ProviderService::on_reply(const mix::sphinx::Reply& reply,
                                                 std::chrono::system_clock::time_point now) {
  if (reply.payload_block.size() != m_geometry.payload_block_bytes()) {
    return make_error(Errc::malformed, "SURB reply block has the wrong length");
  }
  const Bytes item = encode_stored_item(StoredReply{reply.surb_id, reply.payload_block});
  if (auto put = m_store->put(reply.mailbox, item, now); !put) return std::move(put).error();
  return ProviderAction(Stored{});
}

Status ProviderService::confirm_sent(const FetchAnswer& answer) {
  if (answer.sequences_to_remove.empty()) return {};
  return m_store->remove(answer.mailbox, answer.sequences_to_remove);
}

Result<ProviderAction> ProviderService::answer_fetch(const mix::sphinx::MailboxId& mailbox,
                                                     const FetchRequest& request) {
  auto items = m_store->peek(mailbox, request.max_items);
  if (!items) return std::move(items).error();
  auto count = m_store->count(mailbox);
  if (!count) return std::move(count).error();
  auto plan = plan_fetch_replies(m_geometry, *items, request.surbs.size(), *count);
  if (!plan) return std::move(plan).error();

  FetchAnswer answer;
  answer.mailbox.assign(mailbox.begin(), mailbox.end());
  answer.sequences_to_remove = std::move(plan->complete);
  answer.replies.reserve(plan->replies.size());
  for (std::size_t i = 0; i < plan->replies.size(); ++i) {
    auto payload = encode_fetch_reply(m_geometry, plan->replies[i]);
    if (!payload) return std::move(payload).error();
    const auto& surb = request.surbs[i];
    auto packet = mix::sphinx::create_surb_reply(m_geometry, surb, *payload);
    if (!packet) return std::move(packet).error();
    answer.replies.push_back(OutgoingPacket{surb.first_hop, std::move(*packet)});
  }
  return ProviderAction(std::move(answer));
}

}  // namespace tenebra::router::provider
