#include "face_preview.h"

#include "cardd/common/civil_time.h"
#include "cardd/printer/face_template.h"
#include "cardd/server/card_documents.h"

namespace cardd::server {

Result<std::unique_ptr<FacePreview>> FacePreview::create(db::Store& store,
                                                         const region::Region& region) {
  auto tpl = printer::load_face_template(region.face_template().string());
  if (!tpl) return tpl.error();
  auto faces = printer::FaceRenderer::create(std::move(*tpl));
  if (!faces) return faces.error();
  return std::make_unique<FacePreview>(store, region, std::move(*faces));
}

FacePreview::FacePreview(db::Store& store, const region::Region& region,
                         printer::FaceRenderer faces)
    : store_(store), region_(region), faces_(std::move(faces)) {}

Result<std::string> FacePreview::png(const std::string& application_id, bool back,
                                     const std::string& actor) {
  auto documents = card_documents(store_, store_, application_id, region_, actor, unix_now());
  if (!documents) return documents.error();
  std::lock_guard lock(mutex_);
  return faces_.render_side(documents->face, back ? printer::Side::back : printer::Side::front);
}

}  // namespace cardd::server
