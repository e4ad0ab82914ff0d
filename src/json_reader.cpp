#include "json_reader.h"

#include <vector>

namespace tep {
namespace {

// Builds the value that is read, with the library's public interface only.
class ValueBuilder final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit ValueBuilder(nlohmann::json& root) : root_(root) {}

  bool null() override { return put(nullptr); }
  bool boolean(bool value) override { return put(value); }
  bool number_integer(number_integer_t value) override { return put(value); }
  bool number_unsigned(number_unsigned_t value) override { return put(value); }
  bool number_float(number_float_t value, const string_t&) override { return put(value); }
  bool string(string_t& value) override { return put(std::move(value)); }
  bool binary(binary_t&) override { return false; }  // only binary formats have these
  bool start_object(std::size_t) override { return open(nlohmann::json::object()); }
  bool key(string_t& key) override {
    key_ = std::move(key);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(nlohmann::json::array()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // Places `value` where the text has it; returns where it went.
  nlohmann::json* place(nlohmann::json value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    nlohmann::json& container = *open_.back();
    if (container.is_array()) {
      container.push_back(std::move(value));
      return &container.back();
    }
    nlohmann::json& member = container[key_];
    member = std::move(value);
    return &member;
  }
  bool put(nlohmann::json value) {
    place(std::move(value));
    return true;
  }
  // A container stays where it was placed while it is open: its parent
  // gets nothing else meanwhile.
  bool open(nlohmann::json container) {
    open_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    open_.pop_back();
    return true;
  }

  nlohmann::json& root_;
  std::vector<nlohmann::json*> open_;
  std::string key_;
};

}  // namespace

bool read_json_events(std::string_view text, nlohmann::json_sax<nlohmann::json>& handler) {
  // Always through the abstract handler type, so one parser serves every handler.
  nlohmann::json_sax<nlohmann::json>* sax = &handler;
  return nlohmann::json::sax_parse(text.data(), text.data() + text.size(), sax);
}

nlohmann::json read_json_value(std::string_view text) {
  nlohmann::json value;
  ValueBuilder builder(value);
  if (!read_json_events(text, builder)) return nlohmann::json(nlohmann::json::value_t::discarded);
  return value;
}

}  // namespace tep
