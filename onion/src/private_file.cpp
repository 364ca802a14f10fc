#include "private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "wipe.hpp"

namespace tenebra::onion::detail {

Status write_private_file(const std::filesystem::path& path, ByteView bytes) {
  const std::filesystem::path temp = path.native() + ".tmp";
  ::unlink(temp.c_str());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return make_error(Errc::io, "cannot create " + path.filename().native());
  std::size_t done = 0;
  for (int turn = 0; done < bytes.size() && turn < 1'000; ++turn) {
    const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote <= 0) break;
    done += static_cast<std::size_t>(wrote);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (done != bytes.size() || !synced || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return make_error(Errc::io, "cannot write " + path.filename().native());
  }
  return {};
}

Result<std::string> read_private_text(const std::filesystem::path& path, std::size_t cap) {
  const std::string name = path.filename().native();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return make_error(errno == ENOENT ? Errc::not_found : Errc::io, "cannot open " + name);
  struct stat info {};
  Error error{Errc::internal, ""};
  std::string text;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) {
    error = make_error(Errc::io, name + " is not a regular file of ours");
  } else if ((info.st_mode & 077) != 0) {
    error = make_error(Errc::invalid_argument, name + " must be mode 0600");
  } else if (info.st_size <= 0 || static_cast<std::size_t>(info.st_size) > cap) {
    error = make_error(Errc::malformed, name + " is empty or larger than its cap");
  } else {
    text.resize(static_cast<std::size_t>(info.st_size));
    std::size_t done = 0;
    for (int turn = 0; done < text.size() && turn < 1'000; ++turn) {
      const ssize_t got = ::read(fd, text.data() + done, text.size() - done);
      if (got <= 0) break;
      done += static_cast<std::size_t>(got);
    }
    if (done != text.size()) error = make_error(Errc::io, "short read of " + name);
  }
  ::close(fd);
  if (!error.message.empty()) {
    wipe_string(text);
    return error;
  }
  return text;
}

Status read_private_bytes(const std::filesystem::path& path, MutableByteView out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return make_error(errno == ENOENT ? Errc::not_found : Errc::io, "cannot open " + path.filename().native());
  struct stat info {};
  Status status;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) {
    status = make_error(Errc::io, path.filename().native() + " is not a regular file of ours");
  } else if ((info.st_mode & 077) != 0) {
    status = make_error(Errc::invalid_argument, path.filename().native() + " must be mode 0600");
  } else if (static_cast<std::size_t>(info.st_size) != out.size()) {
    status = make_error(Errc::malformed, path.filename().native() + " has the wrong size");
  } else {
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t got = ::read(fd, out.data() + done, out.size() - done);
      if (got <= 0) break;
      done += static_cast<std::size_t>(got);
    }
    if (done != out.size()) status = make_error(Errc::io, "short read of " + path.filename().native());
  }
  ::close(fd);
  return status;
}

Status prepare_private_dir(const std::filesystem::path& dir) {
  if (!dir.is_absolute()) return make_error(Errc::invalid_argument, "data dir must be absolute");
  std::error_code ec;
  std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return make_error(Errc::io, "cannot create data dir");
  struct stat info {};
  if (::lstat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::geteuid()) {
    return make_error(Errc::io, "data dir is not a directory of ours");
  }
  if ((info.st_mode & 077) != 0) return make_error(Errc::invalid_argument, "data dir must be mode 0700");
  return {};
}

}  // namespace tenebra::onion::detail
