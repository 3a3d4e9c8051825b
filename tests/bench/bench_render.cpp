// Card faces per second (both sides: QC, layout, drawing, PNG encoding) on one
// thread, against the bare cost of PNG-encoding two blank surfaces of the same
// size, measured in the same run. Target: >= 200 faces/s per core.
#include <benchmark/benchmark.h>
#include <cairo.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_support.h"
#include "cardd/common/base64.h"
#include "cardd/printer/documents.h"
#include "cardd/printer/face_renderer.h"
#include "cardd/testdata/generator.h"
#include "regions.h"
#include "test_places.h"

namespace {

using namespace cardd::printer;

const FaceTemplate& face_template() {
  static const FaceTemplate t = [] {
    auto r = load_face_template(cardd::test::shipped_region().face_template());
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().describe().c_str());
      std::exit(1);
    }
    return *r;
  }();
  return t;
}

// 64 generated holders (names incl. Extension B characters, real photos).
const std::vector<FaceData>& faces() {
  static const std::vector<FaceData> all = [] {
    const cardd::testdata::Generator generator(cardd::test::generator_options(1));
    std::vector<FaceData> out;
    for (std::uint64_t i = 0; i < 64; ++i) {
      const auto app = nlohmann::json::parse(generator.make(i).json);
      FaceData d;
      d.name = app.at("name").get<std::string>();
      d.social_security_number = app.at("id_number").get<std::string>();
      d.card_number = "A" + std::to_string(10000000 + i);
      d.issue_year = 2026;
      d.issue_month = 11;
      d.bank_name = "中国工商银行";
      d.service_hotline = "12333";
      d.vendor_code = "V0101";
      d.photo_jpeg = cardd::base64_decode(app.at("photo").get<std::string>()).value();
      out.push_back(std::move(d));
    }
    return out;
  }();
  return all;
}

void RenderFace(benchmark::State& state, int png_compression) {
  auto renderer = FaceRenderer::create(face_template(), RenderOptions{png_compression});
  if (!renderer) return state.SkipWithError(renderer.error().describe().c_str());
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    auto face = renderer->render(faces()[i++ % faces().size()]);
    if (!face) return state.SkipWithError(face.error().describe().c_str());
    bytes += face->front_png.size() + face->back_png.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["png_kB"] =
      static_cast<double>(bytes) / 1024.0 / static_cast<double>(state.iterations());
}

// QC and layout of both sides, nothing drawn or encoded.
void CheckFace(benchmark::State& state) {
  auto renderer = FaceRenderer::create(face_template());
  if (!renderer) return state.SkipWithError(renderer.error().describe().c_str());
  std::size_t i = 0;
  for (auto _ : state) {
    if (auto s = renderer->check(faces()[i++ % faces().size()]); !s)
      return state.SkipWithError(s.error().describe().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Baseline: two blank (white) surfaces of the card's size, created, painted
// and PNG-encoded by cairo, i.e. one "face" worth of bare encoding.
void BlankPngEncode(benchmark::State& state) {
  const FaceTemplate& t = face_template();
  for (auto _ : state) {
    for (int side = 0; side < 2; ++side) {
      cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, t.width_px, t.height_px);
      cairo_t* cr = cairo_create(s);
      cairo_set_source_rgb(cr, 1, 1, 1);
      cairo_paint(cr);
      cairo_destroy(cr);
      std::string png;
      cairo_surface_write_to_png_stream(s, append, &png);
      cairo_surface_destroy(s);
      benchmark::DoNotOptimize(png);
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// Mailing labels (100 x 150 mm PDF with a Code 128 barcode) and carrier
// letters (A4 PDF), one thread.
cardd::printer::MailingLabel bench_label(std::size_t i) {
  cardd::printer::MailingLabel m;
  m.application_id = "BJ-1-" + std::to_string(10000000 + i);
  m.sender = "中国工商银行 社会保障卡发卡中心";
  m.recipient_name = faces()[i % faces().size()].name;
  m.address = "北京市顺义区李桥镇沮沟村13排32号";
  m.postal_code = "101300";
  m.courier = "中国邮政EMS";
  m.tracking_number = "PH" + std::to_string(100000000000 + i);
  return m;
}

void RenderLabel(benchmark::State& state) {
  auto renderer = DocumentRenderer::create();
  if (!renderer) return state.SkipWithError(renderer.error().describe().c_str());
  std::size_t i = 0;
  for (auto _ : state) {
    auto pdf = renderer->label_pdf(bench_label(i++));
    if (!pdf) return state.SkipWithError(pdf.error().describe().c_str());
    benchmark::DoNotOptimize(pdf->data());
  }
  state.SetItemsProcessed(state.iterations());
}

void RenderCarrier(benchmark::State& state) {
  auto renderer = DocumentRenderer::create();
  if (!renderer) return state.SkipWithError(renderer.error().describe().c_str());
  std::size_t i = 0;
  for (auto _ : state) {
    const FaceData& f = faces()[i++ % faces().size()];
    CarrierLetter l;
    l.title = "北京市社会保障卡（第三代）发卡通知函";
    l.service_hotline = "12333";
    l.application_id = "BJ-1-" + std::to_string(10000000 + i);
    l.holder_name = f.name;
    l.address = "北京市顺义区李桥镇沮沟村13排32号";
    l.postal_code = "101300";
    l.card_number = f.card_number;
    l.bank_name = f.bank_name;
    l.mail = true;
    l.courier = "中国邮政EMS";
    l.tracking_number = "PH100000000000";
    auto pdf = renderer->carrier_pdf(l);
    if (!pdf) return state.SkipWithError(pdf.error().describe().c_str());
    benchmark::DoNotOptimize(pdf->data());
  }
  state.SetItemsProcessed(state.iterations());
}

// A pack of 50 letters (or labels) as one PDF, per page: the fonts are
// embedded once per pack instead of once per page.
template <bool kLetters>
void RenderPackPerPage(benchmark::State& state) {
  auto renderer = DocumentRenderer::create();
  if (!renderer) return state.SkipWithError(renderer.error().describe().c_str());
  std::vector<MailingLabel> labels;
  std::vector<CarrierLetter> letters;
  for (std::size_t i = 0; i < 50; ++i) {
    labels.push_back(bench_label(i));
    CarrierLetter l;
    l.title = "北京市社会保障卡（第三代）发卡通知函";
    l.service_hotline = "12333";
    l.application_id = labels.back().application_id;
    l.holder_name = faces()[i % faces().size()].name;
    l.address = labels.back().address;
    l.postal_code = "101300";
    l.card_number = faces()[i % faces().size()].card_number;
    l.bank_name = "中国工商银行";
    l.mail = true;
    l.courier = "中国邮政EMS";
    l.tracking_number = labels.back().tracking_number;
    letters.push_back(std::move(l));
  }
  for (auto _ : state) {
    auto pdf = kLetters ? renderer->carrier_batch_pdf(letters) : renderer->label_batch_pdf(labels);
    if (!pdf) return state.SkipWithError(pdf.error().describe().c_str());
    benchmark::DoNotOptimize(pdf->data());
  }
  state.SetItemsProcessed(state.iterations() * 50);
}

}  // namespace

int main(int argc, char** argv) {
  (void)faces();
  benchmark::RegisterBenchmark("RenderFace", RenderFace, -1)->Unit(benchmark::kMillisecond);
  // The same with libdeflate's level 2 (the default before the run encoder),
  // and with stored (uncompressed) PNGs: the cost of everything but deflate.
  benchmark::RegisterBenchmark("RenderFaceLibdeflate2", RenderFace, 2)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("RenderFaceStoredPng", RenderFace, 0)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("CheckFace", CheckFace)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BlankPngEncode", BlankPngEncode)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("RenderLabel", RenderLabel)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("RenderCarrier", RenderCarrier)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("RenderLabelPackPerPage", RenderPackPerPage<false>)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("RenderCarrierPackPerPage", RenderPackPerPage<true>)
      ->Unit(benchmark::kMillisecond);
  const auto rates = cardd::bench::run_benchmarks(argc, argv);
  const auto face = rates.find("RenderFace"), blank = rates.find("BlankPngEncode");
  if (face == rates.end() || blank == rates.end()) return 1;
  std::printf("\ncard faces (both sides, one thread): %8.0f/s (target >= 200/s) %s\n", face->second,
              face->second >= 200 ? "ok" : "BELOW TARGET");
  std::printf("blank PNG encode, two sides:         %8.0f/s\n", blank->second);
  if (const auto two = rates.find("RenderFaceLibdeflate2"); two != rates.end())
    std::printf("card faces, libdeflate level 2:      %8.0f/s = the run encoder %.2fx\n",
                two->second, face->second / two->second);
  if (const auto stored = rates.find("RenderFaceStoredPng"); stored != rates.end())
    std::printf("card faces, stored PNG (level 0):    %8.0f/s\n", stored->second);
  std::printf("ratio faces / blank encode:          %8.2fx\n", face->second / blank->second);
  if (const auto label = rates.find("RenderLabel"); label != rates.end())
    std::printf("mailing labels (PDF, one thread):    %8.0f/s\n", label->second);
  if (const auto carrier = rates.find("RenderCarrier"); carrier != rates.end())
    std::printf("carrier letters (PDF, one thread):   %8.0f/s\n", carrier->second);
  for (const char* kind : {"Label", "Carrier"}) {
    const auto one = rates.find(std::string("Render") + kind);
    const auto pack = rates.find(std::string("Render") + kind + "PackPerPage");
    if (one != rates.end() && pack != rates.end())
      std::printf("%-7s pages in packs of 50:        %8.0f/s = %.1fx one per PDF\n", kind,
                  pack->second, pack->second / one->second);
  }
  return 0;
}
