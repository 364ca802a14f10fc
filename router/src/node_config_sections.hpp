// Internal to node_config: the parsers of the directory and role tables.
// Each reads one table into `config` through a Section (first error wins)
// and reports its unknown keys. Thread-safety: per-parse values.
#pragma once

#include "node_config_fields.hpp"
#include "tenebra/router/node_config.hpp"

namespace tenebra::router::config_detail {

// [directory] and its [[directory.authority]] entries; needs config.transport.
void parse_directory(Section directory, NodeConfig& config);
void parse_mix(Section mix, NodeConfig& config);
void parse_provider(Section provider, NodeConfig& config);
void parse_links(Section links, NodeConfig& config);
void parse_authority(Section authority, NodeConfig& config);

}  // namespace tenebra::router::config_detail
