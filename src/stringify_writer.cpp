#include "stringify_writer.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>

#include "character_encoding.h"
#include "json_reader.h"

namespace tep {
namespace {

// The escape JSON.stringify writes for `c`, or nullptr if it writes `c` as is.
const char* escape_of(unsigned char c) {
  static const char* const kShort[] = {"\\b", "\\t", "\\n", nullptr, "\\f", "\\r"};
  if (c == '"') return "\\\"";
  if (c == '\\') return "\\\\";
  if (c >= '\b' && c <= '\r' && kShort[c - '\b']) return kShort[c - '\b'];
  return nullptr;
}

void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  size_t run = 0;  // start of the characters not yet appended
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text, run, i - run);
    run = i + 1;
    if (const char* escape = escape_of(c)) {
      out += escape;
    } else {
      out += "\\u00";
      out += lower_hex_digit(c >> 4);
      out += lower_hex_digit(c & 0xF);
    }
  }
  out.append(text, run, text.size() - run);
  out += '"';
}

// The value of a key JavaScript treats as an array index, which objects list
// first: the canonical decimal form of 0 .. 2^32 - 2.
std::optional<uint32_t> array_index(std::string_view key) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return std::nullopt;
  uint64_t value = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value >= 4294967295ull) return std::nullopt;
  return static_cast<uint32_t>(value);
}

// Passes on what is read except the outermost object's braces, so that its
// members land in the object the writer has open.
class MemberFeed final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit MemberFeed(StringifyWriter& writer) : writer_(writer) {}

  bool null() override { return depth_ > 0 && writer_.null(); }
  bool boolean(bool value) override { return depth_ > 0 && writer_.boolean(value); }
  bool number_integer(number_integer_t value) override {
    return depth_ > 0 && writer_.number_integer(value);
  }
  bool number_unsigned(number_unsigned_t value) override {
    return depth_ > 0 && writer_.number_unsigned(value);
  }
  bool number_float(number_float_t value, const string_t& text) override {
    return depth_ > 0 && writer_.number_float(value, text);
  }
  bool string(string_t& text) override { return depth_ > 0 && writer_.string(text); }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t size) override {
    return depth_++ == 0 || writer_.start_object(size);
  }
  bool key(string_t& key) override { return writer_.key(key); }
  bool end_object() override { return --depth_ == 0 || writer_.end_object(); }
  bool start_array(std::size_t size) override { return depth_++ > 0 && writer_.start_array(size); }
  bool end_array() override {
    --depth_;
    return writer_.end_array();
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  StringifyWriter& writer_;
  size_t depth_ = 0;
};

}  // namespace

void StringifyWriter::before_value() {
  if (open_.empty()) return;
  Container& container = open_.back();
  // In an object the key wrote the separator; in an array the value does.
  if (!container.is_object && !container.empty) out_ += ',';
  container.empty = false;
}

void StringifyWriter::open_object() {
  before_value();
  out_ += '{';
  open_.push_back({true, true, members_.size()});
}

void StringifyWriter::close_object() {
  size_t first_member = open_.back().first_member;
  put_in_javascript_order(first_member);
  members_.resize(first_member);
  open_.pop_back();
  out_ += '}';
}

void StringifyWriter::open_array() {
  before_value();
  out_ += '[';
  open_.push_back({false, true, members_.size()});
}

void StringifyWriter::close_array() {
  open_.pop_back();
  out_ += ']';
}

void StringifyWriter::write_key(std::string_view key) {
  Container& object = open_.back();
  if (!object.empty) out_ += ',';
  object.empty = false;
  Member member;
  member.start = out_.size();
  append_quoted(out_, key);
  member.colon = out_.size();
  out_ += ':';
  members_.push_back(member);
}

void StringifyWriter::write_string(std::string_view text) {
  before_value();
  append_quoted(out_, text);
}

void StringifyWriter::write_integer(int64_t value) {
  before_value();
  out_ += std::to_string(value);
}

void StringifyWriter::write_unsigned(uint64_t value) {
  before_value();
  out_ += std::to_string(value);
}

void StringifyWriter::write_number_text(std::string_view text) {
  before_value();
  out_ += text;
}

void StringifyWriter::write_bool(bool value) {
  before_value();
  out_ += value ? "true" : "false";
}

void StringifyWriter::write_null() {
  before_value();
  out_ += "null";
}

void StringifyWriter::write_value(const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::object:
      open_object();
      for (auto member = value.begin(); member != value.end(); ++member) {
        write_key(member.key());
        write_value(member.value());
      }
      close_object();
      return;
    case Type::array:
      open_array();
      for (const nlohmann::json& element : value) write_value(element);
      close_array();
      return;
    case Type::string:
      write_string(value.get_ref<const std::string&>());
      return;
    case Type::boolean:
      write_bool(value.get<bool>());
      return;
    case Type::number_integer:
      write_integer(value.get<int64_t>());
      return;
    case Type::number_unsigned:
      write_unsigned(value.get<uint64_t>());
      return;
    case Type::number_float:
    case Type::null:
    case Type::binary:
    case Type::discarded:
      write_null();
      return;
  }
}

bool StringifyWriter::spread(std::string_view object_json) {
  MemberFeed feed(*this);
  return read_json_events(object_json, feed);
}

// Members are written as they come; an object whose keys are not already in
// JavaScript's order, or that has a key twice, is rewritten when it closes.
// Text that JSON.stringify wrote is always in order, so the rewrite is rare.
void StringifyWriter::put_in_javascript_order(size_t first_member) {
  const size_t count = members_.size() - first_member;
  if (count < 2) return;
  const size_t object_end = out_.size();
  auto member = [&](size_t i) -> const Member& { return members_[first_member + i]; };
  auto key_of = [&](size_t i) {
    // Keys are compared as written: the escaping is one-to-one.
    return std::string_view(out_).substr(member(i).start + 1,
                                         member(i).colon - member(i).start - 2);
  };
  auto value_end = [&](size_t i) { return i + 1 < count ? member(i + 1).start - 1 : object_end; };

  // A key given twice stays where it came first, with the value it came with last.
  std::vector<size_t>& by_key = scratch_.by_key;
  by_key.resize(count);
  std::iota(by_key.begin(), by_key.end(), 0);
  std::sort(by_key.begin(), by_key.end(), [&](size_t a, size_t b) {
    int order = key_of(a).compare(key_of(b));
    return order < 0 || (order == 0 && a < b);
  });
  constexpr size_t kDropped = SIZE_MAX;
  std::vector<size_t>& value_of = scratch_.value_of;
  value_of.assign(count, kDropped);
  bool has_duplicates = false;
  for (size_t run = 0, next; run < count; run = next) {
    for (next = run + 1; next < count && key_of(by_key[next]) == key_of(by_key[run]);) ++next;
    value_of[by_key[run]] = by_key[next - 1];
    has_duplicates = has_duplicates || next - run > 1;
  }

  // Array indices first, ascending, then the other keys where they came.
  // Each member's place in that order and its position share one sortable
  // number: the rank (the index, or 2^32 after every index) above 31 bits of
  // position (an object can't have 2^31 members in a 32-bit address space).
  constexpr uint64_t kAfterIndices = 1ull << 32;
  constexpr int kPositionBits = 31;
  std::vector<uint64_t>& order = scratch_.order;
  order.clear();
  for (size_t i = 0; i < count; ++i) {
    if (value_of[i] == kDropped) continue;
    auto index = array_index(key_of(i));
    order.push_back(((index ? *index : kAfterIndices) << kPositionBits) | i);
  }
  std::sort(order.begin(), order.end());
  auto position = [&](uint64_t ranked) {
    return static_cast<size_t>(ranked & ((1ull << kPositionBits) - 1));
  };
  bool in_order = !has_duplicates;
  for (size_t i = 0; in_order && i < count; ++i) in_order = position(order[i]) == i;
  if (in_order) return;

  const size_t object_start = member(0).start;
  std::string rewritten;
  rewritten.reserve(object_end - object_start);
  for (uint64_t ranked : order) {
    size_t i = position(ranked);
    const Member& value_member = member(value_of[i]);
    if (!rewritten.empty()) rewritten += ',';
    rewritten.append(out_, member(i).start, member(i).colon + 1 - member(i).start);
    rewritten.append(out_, value_member.colon + 1, value_end(value_of[i]) - value_member.colon - 1);
  }
  out_.replace(object_start, object_end - object_start, rewritten);
}

bool StringifyWriter::null() {
  write_null();
  return true;
}

bool StringifyWriter::boolean(bool value) {
  write_bool(value);
  return true;
}

bool StringifyWriter::number_integer(number_integer_t value) {
  write_integer(value);
  return true;
}

bool StringifyWriter::number_unsigned(number_unsigned_t value) {
  write_unsigned(value);
  return true;
}

// The text is what the page's JSON.stringify wrote (nlohmann passes it for
// every number that is not an integer within 64 bits), so writing it back is
// exact, where printing the double could differ in form.
bool StringifyWriter::number_float(number_float_t, const string_t& text) {
  write_number_text(text);
  return true;
}

bool StringifyWriter::string(string_t& text) {
  write_string(text);
  return true;
}

// Binary values exist only in binary formats, never in JSON text.
bool StringifyWriter::binary(binary_t&) { return false; }

bool StringifyWriter::start_object(std::size_t) {
  open_object();
  return true;
}

bool StringifyWriter::key(string_t& key) {
  write_key(key);
  return true;
}

bool StringifyWriter::end_object() {
  close_object();
  return true;
}

bool StringifyWriter::start_array(std::size_t) {
  open_array();
  return true;
}

bool StringifyWriter::end_array() {
  close_array();
  return true;
}

bool StringifyWriter::parse_error(std::size_t, const std::string&,
                                  const nlohmann::detail::exception&) {
  return false;
}

std::string stringify_value(const nlohmann::json& value) {
  std::string out;
  StringifyWriter writer(out);
  writer.write_value(value);
  return out;
}

std::string stringify_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_quoted(out, text);
  return out;
}

}  // namespace tep
