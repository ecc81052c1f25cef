#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loupe {

// A small JSON value: enough for loupe.json metadata, CLI output and export sidecars.
// The core stays free of Qt so that it also builds on machines that only have LibTorch.
class Json {
public:
    enum class Type { Null, Bool, Number, String, Array, Object };
    using Array = std::vector<Json>;
    using Object = std::map<std::string, Json>;

    Json() = default;
    Json(std::nullptr_t) {}
    Json(bool b) : type_(Type::Bool), bool_(b) {}
    Json(int n) : type_(Type::Number), number_(n) {}
    Json(long n) : type_(Type::Number), number_(static_cast<double>(n)) {}
    Json(long long n) : type_(Type::Number), number_(static_cast<double>(n)) {}
    Json(unsigned long n) : type_(Type::Number), number_(static_cast<double>(n)) {}
    Json(double n) : type_(Type::Number), number_(n) {}
    Json(float n) : type_(Type::Number), number_(n) {}
    Json(const char* s) : type_(Type::String), string_(s) {}
    Json(std::string s) : type_(Type::String), string_(std::move(s)) {}
    Json(Array a);
    Json(Object o);

    static Json array() { return Json(Array{}); }
    static Json object() { return Json(Object{}); }

    Type type() const { return type_; }
    bool isNull() const { return type_ == Type::Null; }
    bool isNumber() const { return type_ == Type::Number; }
    bool isString() const { return type_ == Type::String; }
    bool isArray() const { return type_ == Type::Array; }
    bool isObject() const { return type_ == Type::Object; }

    bool toBool(bool fallback = false) const { return type_ == Type::Bool ? bool_ : fallback; }
    double toNumber(double fallback = 0) const
    {
        return type_ == Type::Number ? number_ : fallback;
    }
    const std::string& toString() const;
    const Array& toArray() const;
    const Object& toObject() const;

    // Object access; a missing key reads as null.
    const Json& operator[](const std::string& key) const;
    Json& operator[](const std::string& key);  // makes this an object when null
    bool contains(const std::string& key) const;
    void push(Json value);  // makes this an array when null
    size_t size() const;

    std::string dump(int indent = -1) const;
    // Throws loupe::Error with the offset of the problem.
    static Json parse(const std::string& text);

private:
    void dumpTo(std::string& out, int indent, int depth) const;

    Type type_ = Type::Null;
    bool bool_ = false;
    double number_ = 0;
    std::string string_;
    std::shared_ptr<Array> array_;
    std::shared_ptr<Object> object_;
};

}  // namespace loupe
