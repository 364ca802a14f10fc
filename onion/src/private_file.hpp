// Small private files in a node's data dir (keys): written through a 0600
// temporary file, fsync and rename; read only when they are regular files
// of ours, mode 0600 or stricter, and within a size cap. Internal to onion/.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"

namespace tenebra::onion::detail {

[[nodiscard]] Status write_private_file(const std::filesystem::path& path, ByteView bytes);
// The whole file as text; Errc::not_found when it does not exist,
// Errc::malformed when it is empty or larger than `cap`.
[[nodiscard]] Result<std::string> read_private_text(const std::filesystem::path& path, std::size_t cap);
// Exactly out.size() bytes; Errc::not_found when the file does not exist,
// Errc::malformed when its size differs.
[[nodiscard]] Status read_private_bytes(const std::filesystem::path& path, MutableByteView out);
// Creates `dir` mode 0700 (parents as needed); refuses a dir that is not
// ours or is open to group or others.
[[nodiscard]] Status prepare_private_dir(const std::filesystem::path& dir);

}  // namespace tenebra::onion::detail
