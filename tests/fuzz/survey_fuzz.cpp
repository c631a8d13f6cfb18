// Fuzz target for what a survey link's requests carry (issue 14, part 3): the token of the path
// and the JSON body of a save or submit, checked against the built-in MBI-HSS and MSQ. Built as
// a libFuzzer binary with clang (-DBALINT_FUZZ=ON, tests/fuzz/README.md) and, in every build,
// replayed over tests/fuzz/corpus/survey by ctest (fuzz/survey-replay), so the seeds and every
// crash found and added there stay fixed.
#include "balint/core/json.hpp"
#include "balint/instruments/instrument.hpp"
#include "balint/outcomes/survey_answers.hpp"
#include "balint/resources/resources.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace balint;

const std::vector<instruments::instrument>& builtin() {
  static const auto* list = [] {
    auto* out = new std::vector<instruments::instrument>;
    for (const char* id : {"mbi-hss", "msq"}) {
      const auto text = resources::find(std::string("schemas/instruments/") + id + ".json");
      if (!text) std::abort();
      auto doc = core::parse_json(*text);
      if (!doc) std::abort();
      auto inst = instruments::parse_instrument(doc.value());
      if (!inst) std::abort();
      out->push_back(std::move(inst).value());
    }
    return out;
  }();
  return *list;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The token of /s/{token}: accepted only as 32 lower-case hex digits, returned unchanged.
  if (const auto token = outcomes::parse_survey_token(text)) {
    check(token->size() == 32 && *token == text);
  }
  // The body of PUT /api/survey/{token} and of .../submit.
  auto body = core::parse_json(text);
  if (!body) return 0;
  const core::json* answers = body->is_object() ? body->find("answers") : nullptr;
  const core::json& a = answers ? *answers : body.value();
  std::vector<const instruments::instrument*> link;
  for (const auto& inst : builtin()) link.push_back(&inst);
  for (const bool complete : {false, true}) {
    const auto parsed = outcomes::parse_survey_answers(a, link, complete);
    if (!parsed) {
      check(!parsed.error().field.empty() && !parsed.error().message.empty());
      // A refusal's message goes into a JSON answer: it must survive a round trip.
      core::json e;
      e["message"] = parsed.error().message;
      check(core::parse_json(e.dump()).has_value());
      continue;
    }
    for (const auto& [id, items] : parsed.value()) {
      const instruments::instrument* inst = nullptr;
      for (const auto* i : link) inst = i->id == id ? i : inst;
      check(inst != nullptr && items.size() == static_cast<std::size_t>(inst->item_count));
      for (const auto& v : items) {
        check(!v || (*v >= inst->item_scale.min && *v <= inst->item_scale.max));
      }
      if (complete) {
        for (int n = 1; n <= inst->item_count; ++n) {
          check(items[static_cast<std::size_t>(n - 1)] || !outcomes::is_required_item(*inst, n));
        }
      }
    }
    // What is saved reads back the same.
    const auto again = outcomes::parse_survey_answers(
        core::parse_json(outcomes::survey_answers_json(parsed.value()).dump()).value(), link,
        complete);
    check(again.has_value() && again.value() == parsed.value());
  }
  return 0;
}
