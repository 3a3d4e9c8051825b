#include "ipp_printer.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <initializer_list>

#include "cups_handles.h"

namespace cardd::printer::detail {
namespace {

constexpr std::array<const char*, 4> kJobAttributes = {"job-id", "job-name", "job-state",
                                                       "job-state-reasons"};

std::string status_message(ipp_t* response) {
  ipp_attribute_t* a = ippFindAttribute(response, "status-message", IPP_TAG_TEXT);
  const char* text = a != nullptr ? ippGetString(a, 0, nullptr) : nullptr;
  return text != nullptr ? std::string(" (") + text + ")" : std::string();
}

// IPP status codes → PrinterError, in one place. `what` names the printer
// and the operation.
Error to_error(ipp_status_t status, const std::string& what, const std::string& detail = {}) {
  const std::string message = what + ": " + ippErrorString(status) + detail;
  switch (status) {
    case IPP_STATUS_ERROR_SERVICE_UNAVAILABLE:
    case IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS:
    case IPP_STATUS_ERROR_BUSY:
    case IPP_STATUS_ERROR_TEMPORARY:
    case IPP_STATUS_ERROR_PRINTER_IS_DEACTIVATED:
    case IPP_STATUS_ERROR_DEVICE:
      return make_error(PrinterError::printer_unavailable, message);
    case IPP_STATUS_ERROR_NOT_FOUND:
      return make_error(PrinterError::job_lost, message);
    default:
      return make_error(PrinterError::job_rejected, message);
  }
}

// A request that got no IPP response. When it may have changed something at
// the printer (`changes_state`), the outcome is unknown: connection_lost.
Error no_response(const std::string& what, bool changes_state) {
  const ipp_status_t last = cupsLastError();
  const std::string message = what + ": no response: " + cupsLastErrorString();
  if (last == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || last == IPP_STATUS_ERROR_INTERNAL ||
      last == IPP_STATUS_ERROR_TIMEOUT || last < IPP_STATUS_REDIRECTION_OTHER_SITE)
    return make_error(
        changes_state ? PrinterError::connection_lost : PrinterError::printer_unavailable, message);
  return to_error(last, what);
}

JobState job_state(int value) {
  if (value < static_cast<int>(JobState::pending) || value > static_cast<int>(JobState::completed))
    return JobState::pending;
  return static_cast<JobState>(value);
}

std::vector<std::string> strings(ipp_attribute_t* a) {
  std::vector<std::string> out;
  for (int i = 0; a != nullptr && i < ippGetCount(a); ++i) {
    const char* s = ippGetString(a, i, nullptr);
    if (s != nullptr) out.emplace_back(s);
  }
  return out;
}

// Reads the job attributes from `attr` on while they belong to one job group.
ipp_attribute_t* read_job(ipp_t* response, ipp_attribute_t* attr, JobStatus& job) {
  for (; attr != nullptr && ippGetGroupTag(attr) == IPP_TAG_JOB;
       attr = ippNextAttribute(response)) {
    const char* name = ippGetName(attr);
    if (name == nullptr) break;
    const std::string_view n(name);
    if (n == "job-id") job.id = ippGetInteger(attr, 0);
    if (n == "job-state") job.state = job_state(ippGetInteger(attr, 0));
    if (n == "job-state-reasons") job.reasons = strings(attr);
    if (n == "job-name" && ippGetString(attr, 0, nullptr) != nullptr)
      job.name = ippGetString(attr, 0, nullptr);
  }
  return attr;
}

class IppPrinter final : public Printer {
 public:
  IppPrinter(std::string uri, std::string host, int port, std::string resource,
             http_encryption_t encryption, PrinterOptions options)
      : uri_(std::move(uri)),
        host_(std::move(host)),
        port_(port),
        resource_(std::move(resource)),
        encryption_(encryption),
        options_(std::move(options)) {}

  const std::string& uri() const override { return uri_; }

  Result<int> submit(const Job& job) override {
    auto http = connect();
    if (!http) return http.error();
    const std::string what = uri_ + " job '" + job.name + "'";

    IppPtr create = request(IPP_OP_CREATE_JOB);
    ippAddString(create.get(), IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nullptr,
                 job.name.c_str());
    auto created = exchange(http->get(), std::move(create), what + " Create-Job", true);
    if (!created) return created.error();
    ipp_attribute_t* id_attr = ippFindAttribute(created->get(), "job-id", IPP_TAG_INTEGER);
    if (id_attr == nullptr)
      return make_error(PrinterError::job_rejected, what + ": Create-Job returned no job-id");
    const int id = ippGetInteger(id_attr, 0);

    auto sent = send_document(http->get(), id, job, what + " (id " + std::to_string(id) + ")");
    if (!sent && sent.error().code == PrinterError::job_rejected) {
      // The document was refused, so the job is an empty shell: remove it.
      (void)cancel(id);
    }
    if (!sent) return sent.error();
    return id;
  }

  Result<JobStatus> job(int id) override {
    auto http = connect();
    if (!http) return http.error();
    IppPtr req = request(IPP_OP_GET_JOB_ATTRIBUTES);
    ippAddInteger(req.get(), IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", id);
    ippAddStrings(req.get(), IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                  static_cast<int>(kJobAttributes.size()), nullptr, kJobAttributes.data());
    auto resp = exchange(http->get(), std::move(req),
                         uri_ + " Get-Job-Attributes " + std::to_string(id), false);
    if (!resp) return resp.error();
    JobStatus out;
    ipp_attribute_t* attr = ippFirstAttribute(resp->get());
    while (attr != nullptr && ippGetGroupTag(attr) != IPP_TAG_JOB)
      attr = ippNextAttribute(resp->get());
    read_job(resp->get(), attr, out);
    if (out.id == 0) out.id = id;
    return out;
  }

  Result<std::vector<JobStatus>> find_jobs(std::string_view name) override {
    return jobs({"not-completed", "completed"},
                [&](const JobStatus& job) { return job.name == name; });
  }

  Result<std::vector<JobStatus>> job_shells() override {
    return jobs({"not-completed"}, waiting_for_document);
  }

  // Get-Jobs for each of `which` ("completed" and "not-completed" together
  // are every job the printer keeps; "all" is an extension, PWG 5100.7, not
  // every printer has), the jobs `wanted`, oldest first.
  Result<std::vector<JobStatus>> jobs(std::initializer_list<const char*> which_jobs,
                                      const std::function<bool(const JobStatus&)>& wanted) {
    std::vector<JobStatus> found;
    for (const char* which : which_jobs) {
      auto http = connect();
      if (!http) return http.error();
      IppPtr req = request(IPP_OP_GET_JOBS);
      ippAddString(req.get(), IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", nullptr, which);
      ippAddBoolean(req.get(), IPP_TAG_OPERATION, "my-jobs", 0);
      ippAddStrings(req.get(), IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                    static_cast<int>(kJobAttributes.size()), nullptr, kJobAttributes.data());
      auto resp = exchange(http->get(), std::move(req), uri_ + " Get-Jobs " + which, false);
      if (!resp) return resp.error();
      ipp_t* r = resp->get();
      for (ipp_attribute_t* attr = ippFirstAttribute(r); attr != nullptr;) {
        if (ippGetGroupTag(attr) != IPP_TAG_JOB || ippGetName(attr) == nullptr) {
          attr = ippNextAttribute(r);
          continue;
        }
        JobStatus job;
        attr = read_job(r, attr, job);
        if (wanted(job)) found.push_back(std::move(job));
      }
    }
    std::sort(found.begin(), found.end(),
              [](const JobStatus& a, const JobStatus& b) { return a.id < b.id; });
    return found;
  }

  Result<PrinterStatus> status() override {
    auto http = connect();
    if (!http) return http.error();
    static constexpr std::array<const char*, 4> kAttributes = {
        "printer-state", "printer-state-reasons", "printer-state-message",
        "printer-is-accepting-jobs"};
    IppPtr req = request(IPP_OP_GET_PRINTER_ATTRIBUTES);
    ippAddStrings(req.get(), IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                  static_cast<int>(kAttributes.size()), nullptr, kAttributes.data());
    auto resp = exchange(http->get(), std::move(req), uri_ + " Get-Printer-Attributes", false);
    if (!resp) return resp.error();
    ipp_t* r = resp->get();
    PrinterStatus out;
    if (auto* a = ippFindAttribute(r, "printer-state", IPP_TAG_ENUM); a != nullptr) {
      const int v = ippGetInteger(a, 0);
      out.state = v >= 3 && v <= 5 ? static_cast<PrinterState>(v) : PrinterState::stopped;
    }
    for (auto& reason : strings(ippFindAttribute(r, "printer-state-reasons", IPP_TAG_KEYWORD)))
      if (reason != "none") out.reasons.push_back(std::move(reason));
    if (auto* a = ippFindAttribute(r, "printer-state-message", IPP_TAG_TEXT); a != nullptr)
      out.message = ippGetString(a, 0, nullptr) != nullptr ? ippGetString(a, 0, nullptr) : "";
    if (auto* a = ippFindAttribute(r, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN); a != nullptr)
      out.accepting_jobs = ippGetBoolean(a, 0) != 0;
    return out;
  }

  Status cancel(int id) override {
    auto http = connect();
    if (!http) return http.error();
    IppPtr req = request(IPP_OP_CANCEL_JOB);
    ippAddInteger(req.get(), IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", id);
    ipp_t* raw = cupsDoRequest(http->get(), req.release(), resource_.c_str());
    IppPtr resp(raw);
    const std::string what = uri_ + " Cancel-Job " + std::to_string(id);
    if (!resp) return no_response(what, true);
    const ipp_status_t st = ippGetStatusCode(resp.get());
    // Already finished: nothing left to cancel.
    if (st <= IPP_STATUS_OK_EVENTS_COMPLETE || st == IPP_STATUS_ERROR_NOT_POSSIBLE) return {};
    return to_error(st, what, status_message(resp.get()));
  }

 private:
  Result<HttpPtr> connect() {
    const int ms = static_cast<int>(options_.timeout.count());
    errno = 0;
    HttpPtr http(
        httpConnect2(host_.c_str(), port_, nullptr, AF_UNSPEC, encryption_, 1, ms, nullptr));
    if (!http) {
      const int err = errno;
      return make_error(PrinterError::printer_unavailable,
                        uri_ + ": cannot connect to " + host_ + ":" + std::to_string(port_) + ": " +
                            (err != 0 ? std::strerror(err) : cupsLastErrorString()));
    }
    httpSetTimeout(http.get(), static_cast<double>(ms) / 1000.0, nullptr, nullptr);
    return http;
  }

  IppPtr request(ipp_op_t op) const {
    IppPtr req(ippNewRequest(op));
    ippAddString(req.get(), IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, uri_.c_str());
    ippAddString(req.get(), IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr,
                 options_.user.c_str());
    return req;
  }

  Result<IppPtr> exchange(http_t* http, IppPtr req, const std::string& what, bool changes_state) {
    IppPtr resp(cupsDoRequest(http, req.release(), resource_.c_str()));  // frees the request
    return checked(std::move(resp), what, changes_state);
  }

  static Result<IppPtr> checked(IppPtr resp, const std::string& what, bool changes_state) {
    if (!resp) return no_response(what, changes_state);
    const ipp_status_t st = ippGetStatusCode(resp.get());
    if (st > IPP_STATUS_OK_EVENTS_COMPLETE) return to_error(st, what, status_message(resp.get()));
    return resp;
  }

  Result<IppPtr> send_document(http_t* http, int id, const Job& job, const std::string& what) {
    IppPtr req = request(IPP_OP_SEND_DOCUMENT);
    ippAddInteger(req.get(), IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", id);
    ippAddString(req.get(), IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", nullptr,
                 job.format.c_str());
    ippAddBoolean(req.get(), IPP_TAG_OPERATION, "last-document", 1);
    // The length is the whole body: the IPP message and the document after it.
    http_status_t st =
        cupsSendRequest(http, req.get(), resource_.c_str(), ippLength(req.get()) + job.data.size());
    constexpr std::size_t kChunk = 64 * 1024;
    for (std::size_t off = 0; st == HTTP_STATUS_CONTINUE && off < job.data.size(); off += kChunk)
      st = cupsWriteRequestData(http, job.data.data() + off,
                                std::min(kChunk, job.data.size() - off));
    IppPtr resp(st == HTTP_STATUS_CONTINUE ? cupsGetResponse(http, resource_.c_str()) : nullptr);
    return checked(std::move(resp), what + " Send-Document", true);
  }

  std::string uri_, host_;
  int port_;
  std::string resource_;
  http_encryption_t encryption_;
  PrinterOptions options_;
};

}  // namespace

Result<std::unique_ptr<Printer>> open_ipp_printer(const std::string& uri, PrinterOptions options) {
  std::array<char, 32> scheme{};
  std::array<char, 256> user{}, host{}, resource{};
  int port = 0;
  const http_uri_status_t st = httpSeparateURI(
      HTTP_URI_CODING_ALL, uri.c_str(), scheme.data(), static_cast<int>(scheme.size()), user.data(),
      static_cast<int>(user.size()), host.data(), static_cast<int>(host.size()), &port,
      resource.data(), static_cast<int>(resource.size()));
  if (st < HTTP_URI_STATUS_OK || host[0] == '\0')
    return make_error(PrinterError::config_invalid,
                      "printer URI '" + uri + "': " + httpURIStatusString(st));
  const bool tls = std::string_view(scheme.data()) == "ipps";
  return std::unique_ptr<Printer>(std::make_unique<IppPrinter>(
      uri, host.data(), port, resource.data(),
      tls ? HTTP_ENCRYPTION_ALWAYS : HTTP_ENCRYPTION_IF_REQUESTED, std::move(options)));
}

}  // namespace cardd::printer::detail
