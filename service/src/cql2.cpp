#include "microplan/service/cql2.hpp"

#include <cctype>
#include <charconv>
#include <vector>

#include "microplan/service/error_response.hpp"

namespace microplan::service {

struct cql2_filter::node {
    enum class kind { and_, or_, not_, compare, is_null } what = kind::compare;
    std::vector<std::unique_ptr<node>> children;
    std::string property, op;
    nlohmann::json literal;
    bool negate_null = false;
};

namespace {

using node = cql2_filter::node;

class parser {
public:
    parser(std::string_view text, const std::function<bool(std::string_view)>& is_queryable)
        : text_(text), is_queryable_(is_queryable) {}

    std::unique_ptr<node> parse() {
        if (text_.size() > 4096) fail("the filter is longer than 4096 characters");
        auto n = parse_or(0);
        skip_space();
        if (pos_ != text_.size()) fail("unexpected text");
        return n;
    }

private:
    [[noreturn]] void fail(const std::string& what) {
        throw request_error(400, "InvalidParameterValue",
                            "parameter 'filter' (CQL2 text): " + what + " at character " + std::to_string(pos_ + 1));
    }
    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    // Consumes keyword `kw` (case-insensitive, whole word) when it comes next.
    bool keyword(std::string_view kw) {
        skip_space();
        if (text_.size() - pos_ < kw.size()) return false;
        for (std::size_t i = 0; i < kw.size(); ++i)
            if (std::toupper(static_cast<unsigned char>(text_[pos_ + i])) != kw[i]) return false;
        std::size_t end = pos_ + kw.size();
        if (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_'))
            return false;
        pos_ = end;
        return true;
    }
    bool symbol(char c) {
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    // left (KEYWORD right)*, left-associative; OR binds looser than AND.
    std::unique_ptr<node> parse_or(int depth) { return parse_chain(depth, "OR", node::kind::or_, &parser::parse_and); }
    std::unique_ptr<node> parse_and(int depth) {
        return parse_chain(depth, "AND", node::kind::and_, &parser::parse_not);
    }
    std::unique_ptr<node> parse_chain(int depth, std::string_view kw, node::kind kind,
                                      std::unique_ptr<node> (parser::*operand)(int)) {
        auto left = (this->*operand)(depth);
        while (keyword(kw)) {
            auto n = std::make_unique<node>();
            n->what = kind;
            n->children.push_back(std::move(left));
            n->children.push_back((this->*operand)(depth));
            left = std::move(n);
        }
        return left;
    }
    std::unique_ptr<node> parse_not(int depth) {
        if (depth > 64) fail("the filter nests deeper than 64 levels");
        if (keyword("NOT")) {
            auto n = std::make_unique<node>();
            n->what = node::kind::not_;
            n->children.push_back(parse_not(depth + 1));
            return n;
        }
        if (symbol('(')) {
            auto n = parse_or(depth + 1);
            if (!symbol(')')) fail("expected ')'");
            return n;
        }
        return parse_predicate();
    }
    std::string parse_property() {
        skip_space();
        std::string name;
        if (symbol('"')) {
            while (pos_ < text_.size() && text_[pos_] != '"') name.push_back(text_[pos_++]);
            if (!symbol('"')) fail("unterminated quoted property name");
        } else {
            while (pos_ < text_.size() &&
                   (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_' || text_[pos_] == '.'))
                name.push_back(text_[pos_++]);
        }
        if (name.empty()) fail("expected a property name");
        if (!is_queryable_(name)) {
            throw request_error(400, "InvalidParameterValue",
                                "parameter 'filter' (CQL2 text): '" + name +
                                    "' is not a queryable of this collection "
                                    "(see its /queryables)");
        }
        return name;
    }
    nlohmann::json parse_literal() {
        skip_space();
        if (symbol('\'')) {
            std::string s;
            for (;;) {
                if (pos_ >= text_.size()) fail("unterminated string");
                char c = text_[pos_++];
                if (c == '\'') {
                    if (pos_ < text_.size() && text_[pos_] == '\'') {
                        s.push_back('\'');
                        ++pos_;
                        continue;
                    }
                    break;
                }
                s.push_back(c);
            }
            return s;
        }
        if (keyword("TRUE")) return true;
        if (keyword("FALSE")) return false;
        std::size_t start = pos_;
        if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+')) ++pos_;
        while (pos_ < text_.size() &&
               (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.' || text_[pos_] == 'e' ||
                text_[pos_] == 'E' ||
                ((text_[pos_] == '-' || text_[pos_] == '+') && (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E'))))
            ++pos_;
        std::string_view num = text_.substr(start, pos_ - start);
        if (!num.empty() && num.front() == '+') num.remove_prefix(1);
        double v = 0;
        auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
        if (num.empty() || ec != std::errc{} || end != num.data() + num.size()) {
            pos_ = start;
            fail("expected a literal ('text', a number, TRUE or FALSE)");
        }
        return v;
    }
    std::unique_ptr<node> parse_predicate() {
        auto n = std::make_unique<node>();
        n->property = parse_property();
        if (keyword("IS")) {
            n->what = node::kind::is_null;
            n->negate_null = keyword("NOT");
            if (!keyword("NULL")) fail("expected NULL");
            return n;
        }
        skip_space();
        static const char* ops[] = {"<>", "<=", ">=", "=", "<", ">"};
        for (const char* op : ops) {
            std::string_view o(op);
            if (text_.substr(pos_, o.size()) == o) {
                pos_ += o.size();
                n->op = op;
                n->literal = parse_literal();
                return n;
            }
        }
        fail("expected a comparison (=, <>, <, <=, >, >=) or IS [NOT] NULL");
    }

    std::string_view text_;
    const std::function<bool(std::string_view)>& is_queryable_;
    std::size_t pos_ = 0;
};

bool evaluate(const node& n, const nlohmann::json& props) {
    switch (n.what) {
        case node::kind::and_:
            return evaluate(*n.children[0], props) && evaluate(*n.children[1], props);
        case node::kind::or_:
            return evaluate(*n.children[0], props) || evaluate(*n.children[1], props);
        case node::kind::not_:
            return !evaluate(*n.children[0], props);
        case node::kind::is_null: {
            auto it = props.find(n.property);
            bool null = it == props.end() || it->is_null();
            return n.negate_null ? !null : null;
        }
        case node::kind::compare:
            break;
    }
    auto it = props.find(n.property);
    if (it == props.end() || it->is_null()) return false;
    int cmp = 0;
    if (it->is_number() && n.literal.is_number()) {
        double a = it->get<double>(), b = n.literal.get<double>();
        cmp = a < b ? -1 : (a > b ? 1 : 0);
    } else if (it->is_string() && n.literal.is_string()) {
        cmp = it->get_ref<const std::string&>().compare(n.literal.get_ref<const std::string&>());
        cmp = cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
    } else if (it->is_boolean() && n.literal.is_boolean()) {
        cmp = it->get<bool>() == n.literal.get<bool>() ? 0 : 1;
        if (n.op != "=" && n.op != "<>") return false;
    } else {
        return false;  // types differ: no match, as a SQL engine would after a failed cast
    }
    if (n.op == "=") return cmp == 0;
    if (n.op == "<>") return cmp != 0;
    if (n.op == "<") return cmp < 0;
    if (n.op == "<=") return cmp <= 0;
    if (n.op == ">") return cmp > 0;
    return cmp >= 0;
}

}  // namespace

cql2_filter::cql2_filter(std::string_view text, const std::function<bool(std::string_view)>& is_queryable)
    : root_(parser(text, is_queryable).parse()) {}
cql2_filter::~cql2_filter() = default;
cql2_filter::cql2_filter(cql2_filter&&) noexcept = default;
cql2_filter& cql2_filter::operator=(cql2_filter&&) noexcept = default;

bool cql2_filter::matches(const nlohmann::json& properties) const { return evaluate(*root_, properties); }

}  // namespace microplan::service
