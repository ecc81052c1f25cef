#include "core/json.h"

#include "core/error.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace loupe {

// The shortest text that reads back as the same value: as a float when the number is one
// (most values here are float activations, which then stay short and still round-trip), else
// as a double.
static std::string shortestText(double number)
{
    char buf[40];
    const float single = static_cast<float>(number);
    const bool isFloat = static_cast<double>(single) == number;
    for (int precision = 6; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, number);
        const double back = std::strtod(buf, nullptr);
        if (isFloat ? static_cast<float>(back) == single : back == number)
            break;
    }
    return buf;
}
namespace {

const Json kNull;
const std::string kEmptyString;
const Json::Array kEmptyArray;
const Json::Object kEmptyObject;

class Parser {
public:
    explicit Parser(const std::string& text) : s_(text) {}

    Json parseDocument()
    {
        Json v = parseValue();
        skipSpace();
        if (pos_ != s_.size())
            fail("unexpected trailing characters");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw Error("invalid JSON at offset " + std::to_string(pos_) + ": " + what);
    }
    void skipSpace()
    {
        while (pos_ < s_.size() &&
            (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
            ++pos_;
    }
    bool consume(const char* word)
    {
        const std::string w(word);
        if (s_.compare(pos_, w.size(), w) == 0) {
            pos_ += w.size();
            return true;
        }
        return false;
    }
    Json parseValue()
    {
        if (++depth_ > 256)
            fail("nesting too deep");
        skipSpace();
        if (pos_ >= s_.size())
            fail("unexpected end");
        Json result;
        const char c = s_[pos_];
        if (c == '{')
            result = parseObject();
        else if (c == '[')
            result = parseArray();
        else if (c == '"')
            result = Json(parseString());
        else if (consume("true"))
            result = Json(true);
        else if (consume("false"))
            result = Json(false);
        else if (consume("null"))
            result = Json();
        else
            result = parseNumber();
        --depth_;
        return result;
    }
    Json parseNumber()
    {
        const char* begin = s_.c_str() + pos_;
        char* end = nullptr;
        const double v = std::strtod(begin, &end);
        if (end == begin)
            fail("expected a value");
        pos_ += static_cast<size_t>(end - begin);
        return Json(v);
    }
    static void appendUtf8(std::string& out, unsigned code)
    {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
    }
    unsigned parseHex4()
    {
        if (pos_ + 4 > s_.size())
            fail("truncated \\u escape");
        const unsigned v =
            static_cast<unsigned>(std::strtoul(s_.substr(pos_, 4).c_str(), nullptr, 16));
        pos_ += 4;
        return v;
    }
    std::string parseString()
    {
        ++pos_;  // opening quote
        std::string out;
        while (true) {
            if (pos_ >= s_.size())
                fail("unterminated string");
            const char c = s_[pos_++];
            if (c == '"')
                return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size())
                fail("unterminated escape");
            const char e = s_[pos_++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                unsigned code = parseHex4();
                if (code >= 0xD800 && code < 0xDC00 && consume("\\u")) {
                    const unsigned low = parseHex4();
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
                if (code >= 0xDC80 && code <= 0xDCFF)  // a surrogate-escaped byte (see escapeTo)
                    out += static_cast<char>(code - 0xDC00);
                else
                    appendUtf8(out, code);
                break;
            }
            default: fail("bad escape");
            }
        }
    }
    Json parseArray()
    {
        ++pos_;
        Json::Array items;
        skipSpace();
        if (consume("]"))
            return Json(std::move(items));
        while (true) {
            items.push_back(parseValue());
            skipSpace();
            if (consume("]"))
                return Json(std::move(items));
            if (!consume(","))
                fail("expected ',' or ']'");
        }
    }
    Json parseObject()
    {
        ++pos_;
        Json::Object members;
        skipSpace();
        if (consume("}"))
            return Json(std::move(members));
        while (true) {
            skipSpace();
            if (pos_ >= s_.size() || s_[pos_] != '"')
                fail("expected a key");
            std::string key = parseString();
            skipSpace();
            if (!consume(":"))
                fail("expected ':'");
            members[key] = parseValue();
            skipSpace();
            if (consume("}"))
                return Json(std::move(members));
            if (!consume(","))
                fail("expected ',' or '}'");
        }
    }

    const std::string& s_;
    size_t pos_ = 0;
    int depth_ = 0;
};

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there are not
// UTF-8 (a stray continuation byte, a truncated, overlong or surrogate sequence).
size_t utf8SequenceLength(const std::string& s, size_t i)
{
    const auto byte = [&](size_t k) {
        return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u;
    };
    const unsigned c = byte(i);
    size_t length = 0;
    unsigned code = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        length = 2;
        code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        code = c & 0x07;
    } else {
        return 0;
    }
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80)
            return 0;
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
    if (overlong || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return 0;
    return length;
}

void escapeTo(std::string& out, const std::string& s)
{
    out += '"';
    for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else if (c < 0x80) {
                out += static_cast<char>(c);
            } else if (const size_t length = utf8SequenceLength(s, i)) {
                out.append(s, i, length);
                i += length - 1;
            } else {
                // A byte that is not UTF-8 (a file name in another encoding): escaped the way
                // Python's surrogateescape reads it, so os.fsencode() gives the original bytes
                // back and the output stays valid JSON.
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\udc%02x", c);
                out += buf;
            }
        }
    }
    out += '"';
}

}  // namespace

Json::Json(Array a) : type_(Type::Array), array_(std::make_shared<Array>(std::move(a))) {}
Json::Json(Object o) : type_(Type::Object), object_(std::make_shared<Object>(std::move(o))) {}

const std::string& Json::toString() const
{
    return type_ == Type::String ? string_ : kEmptyString;
}
const Json::Array& Json::toArray() const
{
    return type_ == Type::Array ? *array_ : kEmptyArray;
}
const Json::Object& Json::toObject() const
{
    return type_ == Type::Object ? *object_ : kEmptyObject;
}

const Json& Json::operator[](const std::string& key) const
{
    if (type_ != Type::Object)
        return kNull;
    const auto it = object_->find(key);
    return it == object_->end() ? kNull : it->second;
}

Json& Json::operator[](const std::string& key)
{
    if (type_ == Type::Null)
        *this = object();
    if (type_ != Type::Object)
        throw Error("JSON value is not an object");
    if (object_.use_count() > 1)
        object_ = std::make_shared<Object>(*object_);  // copy on write: values share storage
    return (*object_)[key];
}

bool Json::contains(const std::string& key) const
{
    return type_ == Type::Object && object_->count(key) > 0;
}

void Json::push(Json value)
{
    if (type_ == Type::Null)
        *this = array();
    if (type_ != Type::Array)
        throw Error("JSON value is not an array");
    if (array_.use_count() > 1)
        array_ = std::make_shared<Array>(*array_);
    array_->push_back(std::move(value));
}

size_t Json::size() const
{
    if (type_ == Type::Array)
        return array_->size();
    if (type_ == Type::Object)
        return object_->size();
    return 0;
}

std::string Json::dump(int indent) const
{
    std::string out;
    dumpTo(out, indent, 0);
    return out;
}

void Json::dumpTo(std::string& out, int indent, int depth) const
{
    const auto newline = [&](int d) {
        if (indent >= 0) {
            out += '\n';
            out.append(static_cast<size_t>(indent * d), ' ');
        }
    };
    switch (type_) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += bool_ ? "true" : "false"; break;
    case Type::Number: {
        if (!std::isfinite(number_)) {
            out += "null";  // JSON has no NaN/inf
        } else if (number_ == std::floor(number_) && std::fabs(number_) < 1e15) {
            out += std::to_string(static_cast<long long>(number_));
        } else {
            out += shortestText(number_);
        }
        break;
    }
    case Type::String: escapeTo(out, string_); break;
    case Type::Array: {
        out += '[';
        bool first = true;
        for (const Json& v : *array_) {
            if (!first)
                out += ',';
            first = false;
            newline(depth + 1);
            v.dumpTo(out, indent, depth + 1);
        }
        if (!array_->empty())
            newline(depth);
        out += ']';
        break;
    }
    case Type::Object: {
        out += '{';
        bool first = true;
        for (const auto& [k, v] : *object_) {
            if (!first)
                out += ',';
            first = false;
            newline(depth + 1);
            escapeTo(out, k);
            out += indent >= 0 ? ": " : ":";
            v.dumpTo(out, indent, depth + 1);
        }
        if (!object_->empty())
            newline(depth);
        out += '}';
        break;
    }
    }
}

Json Json::parse(const std::string& text)
{
    return Parser(text).parseDocument();
}

}  // namespace loupe
