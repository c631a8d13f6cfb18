#include "balint/core/json.hpp"

#include <charconv>
#include <cmath>
#include <limits>

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

class parser {
 public:
  explicit parser(std::string_view text) : text_(text) {}

  result<json> parse_document() {
    skip_space();
    auto v = parse_value(0);
    if (!v) return v;
    skip_space();
    if (pos_ != text_.size()) return fail_here("unexpected text after the JSON value");
    return v;
  }

 private:
  static constexpr int max_depth = 256;

  error fail_here(const std::string& what) const {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return invalid_input("json", "line " + std::to_string(line) + ", column " +
                                     std::to_string(column) + ": " + what);
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  result<json> parse_value(int depth) {
    if (depth > max_depth) return fail_here("nesting is deeper than 256 levels");
    if (pos_ >= text_.size()) return fail_here("unexpected end of text, expected a value");
    const char c = text_[pos_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') {
      auto s = parse_string();
      if (!s) return std::move(s).error();
      return json(std::move(s.value()));
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    if (literal("true")) return json(true);
    if (literal("false")) return json(false);
    if (literal("null")) return json(nullptr);
    return fail_here(std::string("unexpected character '") + c + "', expected a value");
  }

  result<json> parse_object(int depth) {
    ++pos_;
    json::object o;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return json(std::move(o));
    }
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"')
        return fail_here("expected a member name in quotes");
      auto key = parse_string();
      if (!key) return std::move(key).error();
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':')
        return fail_here("expected ':' after the member name");
      ++pos_;
      skip_space();
      auto v = parse_value(depth + 1);
      if (!v) return v;
      if (o.find(key.value()) != o.end()) {
        return fail_here("member \"" + key.value() + "\" appears twice");
      }
      o.emplace(std::move(key.value()), std::move(v.value()));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return json(std::move(o));
      }
      return fail_here("expected ',' or '}'");
    }
  }

  result<json> parse_array(int depth) {
    ++pos_;
    json::array a;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return json(std::move(a));
    }
    while (true) {
      skip_space();
      auto v = parse_value(depth + 1);
      if (!v) return v;
      a.push_back(std::move(v.value()));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return json(std::move(a));
      }
      return fail_here("expected ',' or ']'");
    }
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  bool hex4(std::uint32_t& out) {
    if (pos_ + 4 > text_.size()) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
      out <<= 4;
      if (h >= '0' && h <= '9') {
        out |= static_cast<std::uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        out |= static_cast<std::uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        out |= static_cast<std::uint32_t>(h - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  result<std::string> parse_string() {
    ++pos_;
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) {
        --pos_;
        return fail_here("control character inside a string");
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) break;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return fail_here("bad \\u escape");
          if (cp >= 0xd800 && cp < 0xdc00) {
            std::uint32_t low = 0;
            if (!literal("\\u") || !hex4(low) || low < 0xdc00 || low > 0xdfff) {
              return fail_here("unpaired surrogate in \\u escape");
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          return fail_here(std::string("unknown escape '\\") + e + "'");
      }
    }
    return fail_here("unterminated string");
  }

  result<json> parse_number() {
    const std::size_t start = pos_;
    bool integral = true;
    if (text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
      return fail_here("expected a digit");
    }
    if (text_[pos_] == '0' && pos_ + 1 < text_.size() && text_[pos_ + 1] >= '0' &&
        text_[pos_ + 1] <= '9') {
      return fail_here("numbers must not have leading zeros");
    }
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
        return fail_here("expected a digit after the decimal point");
      }
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
        return fail_here("expected a digit in the exponent");
      }
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (integral) {
      std::int64_t i = 0;
      const auto r = std::from_chars(first, last, i);
      if (r.ec == std::errc() && r.ptr == last) return json(i);
    }
    double d = 0;
    const auto r = std::from_chars(first, last, d);
    if (r.ec != std::errc() || r.ptr != last) return fail_here("number out of range");
    return json(d);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

result<json> parse_json(std::string_view text) { return parser(text).parse_document(); }

}  // namespace balint::core
