#include "barcode.h"

#include <zint.h>

#include <memory>

#include "cardd/printer/error.h"

namespace cardd::printer::detail {
namespace {

struct SymbolDeleter {
  void operator()(zint_symbol* s) const { ZBarcode_Delete(s); }
};

}  // namespace

Result<std::vector<bool>> code128_modules(std::string_view data) {
  if (data.empty() || data.size() > 64)
    return make_error(PrinterError::barcode_invalid, "barcode: data must be 1 to 64 characters");
  for (char c : data)
    if (c < 0x20 || c > 0x7e)
      return make_error(PrinterError::barcode_invalid, "barcode: data must be printable ASCII");
  std::unique_ptr<zint_symbol, SymbolDeleter> symbol(ZBarcode_Create());
  if (!symbol) return make_error(PrinterError::internal, "barcode: out of memory");
  symbol->symbology = BARCODE_CODE128;
  symbol->input_mode = DATA_MODE;
  const int rc = ZBarcode_Encode(symbol.get(), reinterpret_cast<const unsigned char*>(data.data()),
                                 static_cast<int>(data.size()));
  if (rc >= ZINT_ERROR || symbol->rows != 1)
    return make_error(PrinterError::barcode_invalid,
                      std::string("barcode: zint: ") + symbol->errtxt);
  std::vector<bool> modules(static_cast<std::size_t>(symbol->width));
  // zint packs each row's modules 8 to a byte, least significant bit first.
  for (int x = 0; x < symbol->width; ++x)
    modules[static_cast<std::size_t>(x)] = ((symbol->encoded_data[0][x >> 3] >> (x & 7)) & 1) != 0;
  return modules;
}

}  // namespace cardd::printer::detail
