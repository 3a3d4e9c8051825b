// Test support: run real processes (simulators, cardctl) from a test.
//
// ChildProcess  a long-running child (e.g. bureau-sim) whose stdout is read
//               line by line while it runs; terminated when it goes out of scope.
// run_command   run a command to completion and collect its exit code, stdout
//               and stderr.
// bin_path      where our own executables are (CARDD_BIN_DIR, set by CMake).
// TempDir       a fresh directory under /tmp, removed with everything in it.
//
// Exit codes, everywhere here: the process's exit status when it exited
// normally, 128 + signal number when a signal killed it (like a shell).
//
// Failures to start a process (no such program, no pipes) throw
// std::runtime_error: this is test code, where a throw fails the test with
// the message. Thread safety: one object is used by one thread at a time.
//
// While this header is in use the test process ignores SIGPIPE, so that
// writing to a child (or a socket) that has gone away is an error, not death.
// Children start with default signal dispositions and an empty signal mask.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

#ifndef CARDD_BIN_DIR
#error "CARDD_BIN_DIR must be defined (link the cardd_test_support target)"
#endif

namespace cardd::test {

// Absolute path of one of our executables: CARDD_BIN_DIR "/" name.
inline std::string bin_path(const std::string& name) {
  return std::string(CARDD_BIN_DIR) + "/" + name;
}

namespace detail {

[[noreturn]] inline void fail_errno(const std::string& what, int err) {
  throw std::runtime_error(what + ": " + std::system_category().message(err));
}

inline void ignore_sigpipe() {
  static const bool done = [] {
    ::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

// A file descriptor that closes itself.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
};

inline Pipe make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) fail_errno("pipe2", errno);
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

inline void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

inline int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// The parent's environment with `extra` added (overriding same-named vars).
inline std::vector<std::string> merged_environment(
    const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos && extra.count(entry.substr(0, eq)) != 0) continue;
    env.push_back(entry);
  }
  for (const auto& [key, value] : extra) env.push_back(key + "=" + value);
  return env;
}

inline std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts argv[0] (searched in PATH when it has no '/') with stdin from
// `stdin_fd` (or /dev/null when -1) and stdout/stderr into the given fds.
inline pid_t spawn(std::vector<std::string> argv, const std::map<std::string, std::string>& env,
                   int stdin_fd, int stdout_fd, int stderr_fd) {
  if (argv.empty()) throw std::runtime_error("spawn: empty argv");
  ignore_sigpipe();
  std::vector<std::string> env_strings = merged_environment(env);
  std::vector<char*> c_argv = c_strings(argv);
  std::vector<char*> c_env = c_strings(env_strings);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, c_argv[0], &actions, &attr, c_argv.data(), c_env.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) fail_errno("cannot start " + argv[0], rc);
  return pid;
}

}  // namespace detail

// A running child process with stdout and stderr captured through pipes.
// A background thread drains both pipes into buffers, so a chatty child never
// blocks on a full pipe. The destructor terminates the child if it still runs.
class ChildProcess {
 public:
  // Starts `argv` (argv[0] is a path, or a name searched in PATH) with the
  // test's environment plus `env` (which overrides same-named variables) and
  // stdin from /dev/null, or from a pipe write_stdin() feeds when
  // `with_stdin`. Throws std::runtime_error if it cannot start.
  static ChildProcess start(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& env = {},
                            bool with_stdin = false) {
    detail::Pipe out = detail::make_pipe();
    detail::Pipe err = detail::make_pipe();
    std::optional<detail::Pipe> in;
    if (with_stdin) in = detail::make_pipe();
    if (!argv.empty() && argv[0].find('/') != std::string::npos &&
        ::access(argv[0].c_str(), X_OK) != 0)
      throw std::runtime_error("spawn: cannot execute " + argv[0]);
    // setpriv (util-linux) makes the kernel kill the child when this test
    // process dies, so a crashed test leaves no simulator running.
    std::vector<std::string> guarded{"setpriv", "--pdeathsig", "KILL", "--"};
    guarded.insert(guarded.end(), argv.begin(), argv.end());
    ChildProcess child;
    child.state_ = std::make_unique<State>();
    child.state_->pid =
        detail::spawn(guarded, env, in ? in->read.get() : -1, out.write.get(), err.write.get());
    out.write.reset();
    err.write.reset();
    if (in) child.state_->in = std::move(in->write);
    child.state_->reader =
        std::thread(&State::drain, child.state_.get(), std::move(out.read), std::move(err.read));
    return child;
  }

  ChildProcess() = default;
  ~ChildProcess() { terminate(); }
  ChildProcess(ChildProcess&&) noexcept = default;
  ChildProcess& operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
      terminate();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of stdout without its '\n'. When stdout has ended, returns
  // what is left of an unterminated last line, then nullopt. Returns nullopt
  // if no complete line arrives within `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    if (!state_) return std::nullopt;
    std::unique_lock lock(state_->mutex);
    const auto has_line = [this] {
      return state_->out.find('\n', state_->out_pos) != std::string::npos || state_->out_closed;
    };
    if (!state_->cv.wait_for(lock, timeout, has_line)) return std::nullopt;
    std::string& buf = state_->out;
    const auto nl = buf.find('\n', state_->out_pos);
    if (nl == std::string::npos && state_->out_pos >= buf.size()) return std::nullopt;
    const auto end = nl == std::string::npos ? buf.size() : nl;
    std::string line = buf.substr(state_->out_pos, end - state_->out_pos);
    state_->out_pos = nl == std::string::npos ? buf.size() : nl + 1;
    return line;
  }

  // Everything the child wrote to stderr so far (for failure messages).
  std::string stderr_text() const {
    if (!state_) return {};
    std::lock_guard lock(state_->mutex);
    return state_->err;
  }

  // Writes `text` to the child's stdin (started with_stdin); false when the
  // child does not read it any more.
  bool write_stdin(const std::string& text) {
    if (!state_ || !state_->in) return false;
    std::size_t at = 0;
    while (at < text.size()) {
      const ssize_t n = ::write(state_->in.get(), text.data() + at, text.size() - at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      at += static_cast<std::size_t>(n);
    }
    return true;
  }
  // End of input for the child.
  void close_stdin() {
    if (state_) state_->in.reset();
  }

  pid_t pid() const { return state_ ? state_->pid : -1; }
  bool running() const { return state_ && !state_->exit_code && state_->pid > 0; }

  // Waits for the child to exit and returns its exit code (see top of file).
  // Later calls return the same code. -1 for a default-constructed object.
  int wait() {
    if (!state_ || state_->pid <= 0) return -1;
    if (!state_->exit_code) {
      int status = 0;
      while (::waitpid(state_->pid, &status, 0) < 0 && errno == EINTR) {
      }
      finish(status);
    }
    return *state_->exit_code;
  }

  // Whether the child has exited, without waiting (its exit code is then
  // kept for wait()).
  bool exited() {
    if (!running()) return true;
    int status = 0;
    if (::waitpid(state_->pid, &status, WNOHANG) != state_->pid) return false;
    finish(status);
    return true;
  }

  // SIGTERM, up to 30 s for the child to exit, then SIGKILL. No-op when it
  // has already exited; wait() afterwards returns its exit code. The wait is
  // generous because a sanitizer build on a loaded machine can take seconds
  // to finish its work and check for leaks; a clean stop is what is tested.
  void terminate() {
    if (!running()) return;
    ::kill(state_->pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      const pid_t r = ::waitpid(state_->pid, &status, WNOHANG);
      if (r == state_->pid) return finish(status);
      if (r < 0 && errno != EINTR) return finish(0);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(state_->pid, SIGKILL);
    wait();
  }

 private:
  // Lives on the heap so the reader thread's pointer survives moves.
  struct State {
    pid_t pid = -1;
    std::optional<int> exit_code;
    detail::Fd in;  // the child's stdin, when started with_stdin
    std::thread reader;
    mutable std::mutex mutex;
    std::condition_variable cv;
    std::string out, err;
    std::size_t out_pos = 0;
    bool out_closed = false;
    bool stop = false;  // child has exited: drain what is buffered, then stop

    void drain(detail::Fd out_fd, detail::Fd err_fd) {
      std::array<char, 65536> chunk{};
      std::array<pollfd, 2> fds{pollfd{out_fd.get(), POLLIN, 0}, pollfd{err_fd.get(), POLLIN, 0}};
      while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        bool stopping = false;
        {
          std::lock_guard lock(mutex);
          stopping = stop;
        }
        // Once the child is gone, a grandchild may still hold the pipes open:
        // take what is there, but do not wait for an EOF that may never come.
        const int n = ::poll(fds.data(), fds.size(), stopping ? 0 : 100);
        if (n < 0 && errno != EINTR) break;
        if (n == 0 && stopping) break;
        for (std::size_t i = 0; i < fds.size(); ++i) {
          if (fds[i].fd < 0 || fds[i].revents == 0) continue;
          const ssize_t got = ::read(fds[i].fd, chunk.data(), chunk.size());
          if (got < 0 && errno == EINTR) continue;
          std::lock_guard lock(mutex);
          if (got <= 0) {
            fds[i].fd = -1;
            if (i == 0) out_closed = true;
          } else {
            (i == 0 ? out : err).append(chunk.data(), static_cast<std::size_t>(got));
          }
        }
        cv.notify_all();
      }
      std::lock_guard lock(mutex);
      out_closed = true;
      cv.notify_all();
    }
  };

  void finish(int status) {
    state_->exit_code = detail::decode_status(status);
    {
      std::lock_guard lock(state_->mutex);
      state_->stop = true;
    }
    if (state_->reader.joinable()) state_->reader.join();
  }

  std::unique_ptr<State> state_;
};

struct RunResult {
  int exit_code = -1;  // -1 when the command timed out and was killed
  std::string out, err;
};

// Runs `argv` to completion with `stdin_data` on its stdin and returns its
// exit code and everything it wrote to stdout and stderr. After `timeout` the
// command is killed (SIGKILL) and exit_code is -1. Throws std::runtime_error
// if it cannot start.
inline RunResult run_command(const std::vector<std::string>& argv,
                             const std::string& stdin_data = "",
                             std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  detail::Pipe in = detail::make_pipe();
  detail::Pipe out = detail::make_pipe();
  detail::Pipe err = detail::make_pipe();
  const pid_t pid = detail::spawn(argv, {}, in.read.get(), out.write.get(), err.write.get());
  in.read.reset();
  out.write.reset();
  err.write.reset();
  for (const auto* fd : {&in.write, &out.read, &err.read}) detail::set_nonblocking(fd->get());
  if (stdin_data.empty()) in.write.reset();

  RunResult result;
  std::size_t written = 0;
  std::array<char, 65536> chunk{};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool exited = false, timed_out = false;
  int status = 0;
  while (out.read || err.read) {
    std::array<pollfd, 3> fds{pollfd{in.write.get(), POLLOUT, 0}, pollfd{out.read.get(), POLLIN, 0},
                              pollfd{err.read.get(), POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    // After the child exits only drain what is buffered (a grandchild may
    // keep the pipes open forever).
    const int wait_ms = exited ? 0 : static_cast<int>(std::min<long long>(left.count(), 100));
    const int n = ::poll(fds.data(), fds.size(), wait_ms);
    if (n < 0 && errno != EINTR) break;
    if (n == 0 && exited) break;
    if (fds[0].revents != 0) {
      const ssize_t w =
          ::write(in.write.get(), stdin_data.data() + written, stdin_data.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_data.size())
        in.write.reset();
    }
    for (auto [index, fd, sink] :
         {std::tuple{1, &out.read, &result.out}, std::tuple{2, &err.read, &result.err}}) {
      if (fds[static_cast<std::size_t>(index)].revents == 0) continue;
      const ssize_t got = ::read(fd->get(), chunk.data(), chunk.size());
      if (got > 0) {
        sink->append(chunk.data(), static_cast<std::size_t>(got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        fd->reset();
      }
    }
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) exited = true;
  }
  if (timed_out && !exited) {
    ::kill(pid, SIGKILL);
    result.err += "\n[run_command: timed out after " + std::to_string(timeout.count()) + " ms]\n";
  }
  if (!exited) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  result.exit_code = timed_out && !exited ? -1 : detail::decode_status(status);
  return result;
}

// A fresh directory /tmp/cardd-test-XXXXXX, removed recursively on destruction.
class TempDir {
 public:
  TempDir() {
    std::string templ = "/tmp/cardd-test-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) detail::fail_errno("mkdtemp", errno);
    path_ = templ;
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&& other) noexcept {
    if (this != &other) {
      TempDir dying(std::move(*this));
      path_ = std::exchange(other.path_, {});
    }
    return *this;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace cardd::test
