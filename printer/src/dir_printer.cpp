#include "dir_printer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <system_error>

namespace cardd::printer::detail {
namespace {

namespace fs = std::filesystem;

// errno → PrinterError, in one place. A folder that is missing, full or on a
// failing mount may come back: transient. Permissions are a set-up problem.
Error errno_error(int err, const std::string& what) {
  const std::string message = what + ": " + std::system_category().message(err);
  switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
      return make_error(PrinterError::io, message);
    case EEXIST:
      return make_error(PrinterError::job_rejected, message);
    default:
      return make_error(PrinterError::printer_unavailable, message);
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  for (char c : name)
    if (c == '/' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

class DirPrinter final : public Printer {
 public:
  DirPrinter(std::string uri, fs::path dir) : uri_(std::move(uri)), dir_(std::move(dir)) {}

  const std::string& uri() const override { return uri_; }

  Result<int> submit(const Job& job) override {
    if (!valid_name(job.name))
      return make_error(PrinterError::job_rejected,
                        uri_ + ": job name '" + job.name + "' is not usable as a file name");
    const fs::path target = dir_ / (job.name + extension_for(job.format));
    std::string tmp = (dir_ / ("." + job.name + ".XXXXXX")).string();
    Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));
    if (fd.get() < 0) return errno_error(errno, uri_ + ": create " + tmp);
    auto fail = [&](const std::string& what) {
      const int err = errno;
      ::unlink(tmp.c_str());
      return errno_error(err, uri_ + ": " + what);
    };
    for (std::size_t done = 0; done < job.data.size();) {
      const ssize_t n = ::write(fd.get(), job.data.data() + done, job.data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail("write " + tmp);
      done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd.get(), 0644) != 0 || ::fsync(fd.get()) != 0) return fail("sync " + tmp);
    if (::close(fd.release()) != 0) return fail("close " + tmp);
    // link() refuses an existing target, unlike rename(): a job is never replaced.
    if (::link(tmp.c_str(), target.c_str()) != 0) return fail("publish " + target.string());
    ::unlink(tmp.c_str());
    if (Fd dirfd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); dirfd.get() >= 0)
      ::fsync(dirfd.get());
    const int id = next_id_++;
    names_[id] = job.name;
    return id;
  }

  // A written file is a finished job: the folder's reader takes it from there.
  Result<JobStatus> job(int id) override {
    const auto it = names_.find(id);
    if (it == names_.end())
      return make_error(PrinterError::job_lost, uri_ + ": no job " + std::to_string(id));
    return JobStatus{id, it->second, JobState::completed, {"job-completed-successfully"}};
  }

  Result<std::vector<JobStatus>> find_jobs(std::string_view name) override {
    std::vector<JobStatus> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
      if (entry.path().stem().string() != name) continue;
      int id = 0;
      for (const auto& [known, known_name] : names_)
        if (known_name == name) id = known;
      out.push_back(JobStatus{id, std::string(name), JobState::completed, {}});
    }
    if (ec) return errno_error(ec.value(), uri_ + ": list " + dir_.string());
    return out;
  }

  Result<PrinterStatus> status() override {
    std::error_code ec;
    if (!fs::is_directory(dir_, ec))
      return make_error(PrinterError::printer_unavailable,
                        uri_ + ": " + dir_.string() + " is not a directory");
    if (::access(dir_.c_str(), W_OK) != 0) return errno_error(errno, uri_ + ": " + dir_.string());
    return PrinterStatus{PrinterState::idle, {}, {}, true};
  }

  Status cancel(int /*id*/) override { return {}; }  // written files are finished jobs

 private:
  std::string uri_;
  fs::path dir_;
  std::map<int, std::string> names_;
  int next_id_ = 1;
};

}  // namespace

std::string extension_for(std::string_view format) {
  if (format == "application/pdf") return ".pdf";
  if (format == "image/png") return ".png";
  if (format == "image/jpeg") return ".jpg";
  if (format == "image/pwg-raster") return ".pwg";
  return ".bin";
}

Result<std::unique_ptr<Printer>> open_dir_printer(const std::string& uri) {
  const std::string path = uri.substr(std::string_view("dir://").size());
  if (path.empty() || path.front() != '/')
    return make_error(PrinterError::config_invalid,
                      "printer URI '" + uri + "': expected dir:///ABSOLUTE/PATH");
  return std::unique_ptr<Printer>(std::make_unique<DirPrinter>(uri, fs::path(path)));
}

}  // namespace cardd::printer::detail
