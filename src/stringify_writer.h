// Writes JSON text byte for byte as JavaScript's JSON.stringify writes the
// same value, so that what the core stores and sends is what
// @tidal-music/event-producer would have stored and sent:
//  - strings are escaped as JSON.stringify escapes them: \" \\ \b \f \n \r \t,
//    other control characters as \u00xx (lower-case hex), everything else
//    verbatim;
//  - object keys come in JavaScript's order: array-index keys ("0" to
//    "4294967294", written canonically) first in ascending numeric order, then
//    the others in the order they were first written; a key written twice
//    keeps its first place and takes its last value, as in an object literal
//    or a spread {...a, ...b};
//  - numbers are written as the text they were read from, which the page's
//    JSON.stringify wrote (so 0.1, 1e21, 5e-324 and integers past 2^53 keep
//    their exact form), or as integers.
// It is a nlohmann SAX handler, so JSON text read into it comes out in that
// form, and it can be written to directly, value by value or a whole
// nlohmann::json at once. It is also the core's only JSON serialiser: the
// library's own dump() would add ~4.3 KB (gzip) to the wasm.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace tep {

class StringifyWriter : public nlohmann::json_sax<nlohmann::json> {
 public:
  /// Appends to `out`, which must outlive the writer.
  explicit StringifyWriter(std::string& out) : out_(out) {}

  void open_object();
  void close_object();
  void open_array();
  void close_array();
  /// A member's key; its value is whatever is written next.
  void write_key(std::string_view key);
  /// `text` is UTF-8; it is escaped, never validated.
  void write_string(std::string_view text);
  void write_integer(int64_t value);
  void write_unsigned(uint64_t value);
  /// A number as the JSON text that denotes it.
  void write_number_text(std::string_view text);
  void write_bool(bool value);
  void write_null();
  /// A value the core built: objects, arrays, strings, booleans, null and
  /// whole numbers. The core builds no floating-point numbers, and has no
  /// JSON.stringify form for them: one is written as null, as JSON.stringify
  /// writes the numbers it can't represent.
  void write_value(const nlohmann::json& value);

  /// Writes the members of the JSON object text `object_json` into the
  /// object that is open, as {...open, ...object} does. False if
  /// `object_json` is not a JSON object; the output is then unusable.
  bool spread(std::string_view object_json);

  // nlohmann::json_sax: what is read is written.
  bool null() override;
  bool boolean(bool value) override;
  bool number_integer(number_integer_t value) override;
  bool number_unsigned(number_unsigned_t value) override;
  bool number_float(number_float_t value, const string_t& text) override;
  bool string(string_t& text) override;
  bool binary(binary_t& bytes) override;
  bool start_object(std::size_t size) override;
  bool key(string_t& key) override;
  bool end_object() override;
  bool start_array(std::size_t size) override;
  bool end_array() override;
  bool parse_error(std::size_t position, const std::string& token,
                   const nlohmann::detail::exception& error) override;

 private:
  struct Container {
    bool is_object = false;
    bool empty = true;
    size_t first_member = 0;  ///< index into members_ of this object's first member
  };
  struct Member {
    size_t start = 0;  ///< offset in out_ of the key's opening quote
    size_t colon = 0;  ///< offset in out_ of the colon after the key
  };

  void before_value();
  void put_in_javascript_order(size_t first_member);

  std::string& out_;
  std::vector<Container> open_;
  std::vector<Member> members_;  ///< members of every open object, innermost last
  /// Working space of put_in_javascript_order, kept so that closing an
  /// object allocates nothing once the first few objects are written.
  struct {
    std::vector<size_t> by_key;
    std::vector<size_t> value_of;
    std::vector<uint64_t> order;
  } scratch_;
};

/// JSON.stringify of a string.
std::string stringify_string(std::string_view text);

/// JSON.stringify of a value the core built (see StringifyWriter::write_value).
std::string stringify_value(const nlohmann::json& value);

}  // namespace tep
