#include "balint/core/json.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace balint::core {

bool json::is_integer() const noexcept {
  if (type() == kind::integer) return true;
  if (type() != kind::number) return false;
  const double d = std::get<double>(v_);
  return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15;
}

std::int64_t json::as_int() const {
  if (type() == kind::integer) return std::get<std::int64_t>(v_);
  return static_cast<std::int64_t>(std::get<double>(v_));
}

double json::as_double() const {
  if (type() == kind::integer) return static_cast<double>(std::get<std::int64_t>(v_));
  return std::get<double>(v_);
}

const json* json::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  const auto& o = as_object();
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &it->second;
}

json& json::operator[](std::string_view key) {
  if (is_null()) v_ = object{};
  auto& o = as_object();
  auto it = o.find(key);
  if (it == o.end()) it = o.emplace(std::string(key), json{}).first;
  return it->second;
}

void json::push_back(json value) {
  if (is_null()) v_ = array{};
  as_array().push_back(std::move(value));
}

bool operator==(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.type() == json::kind::integer && b.type() == json::kind::integer) {
      return a.as_int() == b.as_int();
    }
    return a.as_double() == b.as_double();
  }
  return a.v_ == b.v_;
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(hex[(c >> 4) & 0xf]);
          out.push_back(hex[c & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

namespace {

void append_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, r.ptr);
}

void newline(std::string& out, int indent, int depth) {
  if (indent <= 0) return;
  out.push_back('\n');
  out.append(static_cast<std::size_t>(indent * depth), ' ');
}

}  // namespace

void json::write(std::string& out, int indent, int depth) const {
  switch (type()) {
    case kind::null:
      out += "null";
      break;
    case kind::boolean:
      out += as_bool() ? "true" : "false";
      break;
    case kind::integer:
      out += std::to_string(std::get<std::int64_t>(v_));
      break;
    case kind::number:
      append_number(out, std::get<double>(v_));
      break;
    case kind::string:
      append_json_string(out, as_string());
      break;
    case kind::array: {
      const auto& a = as_array();
      out.push_back('[');
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out.push_back(',');
        newline(out, indent, depth + 1);
        a[i].write(out, indent, depth + 1);
      }
      if (!a.empty()) newline(out, indent, depth);
      out.push_back(']');
      break;
    }
    case kind::object: {
      const auto& o = as_object();
      out.push_back('{');
      bool first = true;
      for (const auto& [k, v] : o) {
        if (!first) out.push_back(',');
        first = false;
        newline(out, indent, depth + 1);
        append_json_string(out, k);
        out.push_back(':');
        if (indent > 0) out.push_back(' ');
        v.write(out, indent, depth + 1);
      }
      if (!o.empty()) newline(out, indent, depth);
      out.push_back('}');
      break;
    }
  }
}

std::string json::dump() const {
  std::string out;
  write(out, 0, 0);
  return out;
}

std::string json::dump_pretty(int indent) const {
  std::string out;
  write(out, indent, 0);
  return out;
}

namespace {

// Containers nested deeper than this are refused: the value and its destructor recurse.
constexpr int max_depth = 256;

// "line 3, column 7" of the byte at `index` (0-based) of `text`.
std::string where(std::string_view text, std::size_t index) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < index && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// Where our own refusals happen, found again in the text (nlohmann's SAX callbacks do not say):
// the opening bracket that goes one level deeper than allowed, or the start of the n-th member
// name (0-based). The text has already been read up to there without a syntax error.
std::size_t locate(std::string_view text, int too_deep, std::size_t key_number) {
  int depth = 0;
  std::size_t keys = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '[' || c == '{') {
      if (++depth == too_deep) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == '"') {
      const std::size_t start = i;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      std::size_t next = i + 1;
      while (next < text.size() && (text[next] == ' ' || text[next] == '\t' || text[next] == '\n' ||
                                    text[next] == '\r')) {
        ++next;
      }
      if (next < text.size() && text[next] == ':' && keys++ == key_number) return start;
    }
  }
  return text.size();
}

// Builds a core::json from nlohmann's SAX events. nlohmann parses without recursion; the
// depth bound here keeps our (recursive) value type and its destructor safe.
class builder {
 public:
  using nl = nlohmann::json;

  explicit builder(std::string_view text) : text_(text) {}

  bool null() { return add(json(nullptr)); }
  bool boolean(bool b) { return add(json(b)); }
  bool number_integer(nl::number_integer_t i) { return add(json(static_cast<long long>(i))); }
  bool number_unsigned(nl::number_unsigned_t u) {
    if (u <= static_cast<nl::number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return add(json(static_cast<long long>(u)));
    }
    return add(json(static_cast<double>(u)));  // beyond int64: the nearest double, as before
  }
  bool number_float(nl::number_float_t, const nl::string_t& text) {
    // Read the literal again with from_chars: the same rounding as the canonical writer's
    // to_chars, and out-of-range literals (1e400) are refused rather than made infinite.
    double d = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), d);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
      return refuse(locate_number(), "the number " + text + " is out of range");
    }
    return add(json(d));
  }
  bool string(nl::string_t& s) { return add(json(std::move(s))); }
  bool binary(nl::binary_t&) { return refuse(text_.size(), "binary values are not JSON"); }
  bool start_object(std::size_t) { return open(json(json::object{})); }
  bool key(nl::string_t& k) {
    const json::object& o = stack_.back()->as_object();
    if (o.find(k) != o.end()) {
      return refuse(locate(text_, -1, keys_), "member \"" + k + "\" appears twice");
    }
    ++keys_;
    key_ = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(json(json::array{})); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    // nlohmann: "[json.exception.parse_error.101] parse error at line 1, column 4: syntax error
    // while parsing value - unexpected ']'; expected '[', '{', or a literal; last read: '...'".
    // Keep the words after " - " without the echo of the text; the position is counted here
    // (nlohmann's column is off after a newline), pointing at the last byte read.
    std::string what = e.what();
    if (what.rfind("[json.exception", 0) == 0) {
      if (const auto end = what.find("] "); end != std::string::npos) what.erase(0, end + 2);
    }
    if (const auto dash = what.find(" - "); dash != std::string::npos) what.erase(0, dash + 3);
    if (const auto echo = what.find("; last read:"); echo != std::string::npos) {
      const auto rest = what.find("; expected", echo);
      what = what.substr(0, echo) + (rest == std::string::npos ? "" : what.substr(rest));
    }
    return refuse(position > 0 ? position - 1 : 0, what);
  }

  result<json> finish(bool ok) {
    if (!ok || error_) {
      if (!error_) return invalid_input("json", where(text_, text_.size()) + ": not valid JSON");
      return std::move(*error_);
    }
    return std::move(root_);
  }

 private:
  json* place(json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json* top = stack_.back();
    if (top->is_array()) {
      top->as_array().push_back(std::move(v));
      return &top->as_array().back();
    }
    return &top->as_object().emplace(std::move(key_), std::move(v)).first->second;
  }
  bool add(json v) {
    place(std::move(v));
    return true;
  }
  bool open(json container) {
    if (static_cast<int>(stack_.size()) >= max_depth) {
      return refuse(locate(text_, max_depth + 1, std::size_t(-1)),
                    "nesting is deeper than " + std::to_string(max_depth) + " levels");
    }
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  // A number literal ends where the text was read up to; nlohmann does not say, so name none.
  std::size_t locate_number() const { return text_.size(); }
  bool refuse(std::size_t index, const std::string& what) {
    if (!error_) error_ = invalid_input("json", where(text_, index) + ": " + what);
    return false;
  }

  std::string_view text_;
  json root_;
  std::vector<json*> stack_;
  std::string key_;
  std::size_t keys_ = 0;
  std::optional<error> error_;
};

}  // namespace

result<json> parse_json(std::string_view text) {
  builder b(text);
  const bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &b,
                                            nlohmann::json::input_format_t::json, true);
  return b.finish(ok);
}

}  // namespace balint::core
