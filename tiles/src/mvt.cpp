#include "microplan/tiles/mvt.hpp"

#include <cassert>
#include <cmath>

namespace microplan::tiles {

namespace {
// Field numbers of vector_tile.proto 2.1.
enum : protozero::pbf_tag_type { tile_layers = 3 };
enum : protozero::pbf_tag_type {
    layer_name = 1,
    layer_features = 2,
    layer_keys = 3,
    layer_values = 4,
    layer_extent = 5,
    layer_version = 15
};
enum : protozero::pbf_tag_type { feature_id = 1, feature_tags = 2, feature_type = 3, feature_geometry = 4 };
enum : protozero::pbf_tag_type { value_string = 1, value_double = 3, value_int = 4, value_bool = 7 };
enum : std::uint32_t { geom_point = 1, geom_polygon = 3 };
enum : std::uint32_t { cmd_move_to = 1, cmd_line_to = 2, cmd_close_path = 7 };

constexpr std::uint32_t command(std::uint32_t id, std::uint32_t count) { return (id & 7u) | (count << 3); }
constexpr std::uint32_t zigzag(std::int32_t v) {
    return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
}

std::string encode_value(const value& v) {
    std::string out;
    protozero::pbf_writer w(out);
    if (const auto* s = std::get_if<std::string>(&v))
        w.add_string(value_string, *s);
    else if (const auto* d = std::get_if<double>(&v))
        w.add_double(value_double, *d);
    else if (const auto* i = std::get_if<std::int64_t>(&v))
        w.add_int64(value_int, *i);
    else if (const auto* b = std::get_if<bool>(&v))
        w.add_bool(value_bool, *b);
    return out;
}
}  // namespace

layer_builder::layer_builder(std::string& tile, std::string_view name, std::span<const std::string> keys,
                             std::uint32_t extent)
    : tile_(tile), layer_(tile_, tile_layers), keys_(keys), key_used_(keys.size(), false), key_index_(keys.size(), 0) {
    layer_.add_uint32(layer_version, 2);
    layer_.add_string(layer_name, name.data(), name.size());
    layer_.add_uint32(layer_extent, extent);
}

void layer_builder::write_tags(protozero::pbf_writer& feature, std::span<const value> properties) {
    assert(properties.size() <= keys_.size());
    protozero::packed_field_uint32 tags(feature, feature_tags);
    std::uint32_t used = 0;
    for (bool u : key_used_) used += u ? 1 : 0;
    for (std::size_t k = 0; k < properties.size(); ++k) {
        if (std::holds_alternative<std::monostate>(properties[k])) continue;
        if (!key_used_[k]) key_used_[k] = true, key_index_[k] = used++;
        std::string encoded = encode_value(properties[k]);
        auto [it, inserted] = value_index_.try_emplace(encoded, static_cast<std::uint32_t>(values_.size()));
        if (inserted) values_.push_back(std::move(encoded));
        tags.add_element(key_index_[k]);
        tags.add_element(it->second);
    }
}

void layer_builder::begin_polygon_feature() {
    geometry_.clear();
    cursor_ = {};
}

bool layer_builder::add_ring(std::span<const pixel> vertices, bool exterior) {
    if (vertices.size() < 3) return false;
    std::int64_t area = doubled_area(vertices);
    if (area == 0) return false;
    bool reverse = exterior ? area < 0 : area > 0;
    auto at = [&](std::size_t i) -> const pixel& { return reverse ? vertices[vertices.size() - 1 - i] : vertices[i]; };
    geometry_.push_back(command(cmd_move_to, 1));
    geometry_.push_back(zigzag(at(0).x - cursor_.x));
    geometry_.push_back(zigzag(at(0).y - cursor_.y));
    cursor_ = at(0);
    geometry_.push_back(command(cmd_line_to, static_cast<std::uint32_t>(vertices.size() - 1)));
    for (std::size_t i = 1; i < vertices.size(); ++i) {
        geometry_.push_back(zigzag(at(i).x - cursor_.x));
        geometry_.push_back(zigzag(at(i).y - cursor_.y));
        cursor_ = at(i);
    }
    geometry_.push_back(command(cmd_close_path, 1));
    return true;
}

bool layer_builder::end_polygon_feature(std::uint64_t id, std::span<const value> properties) {
    if (geometry_.empty()) return false;
    protozero::pbf_writer feature(layer_, layer_features);
    feature.add_uint64(feature_id, id);
    write_tags(feature, properties);
    feature.add_enum(feature_type, geom_polygon);
    feature.add_packed_uint32(feature_geometry, geometry_.begin(), geometry_.end());
    ++features_;
    return true;
}

void layer_builder::add_point_feature(std::uint64_t id, pixel p, std::span<const value> properties) {
    protozero::pbf_writer feature(layer_, layer_features);
    feature.add_uint64(feature_id, id);
    write_tags(feature, properties);
    feature.add_enum(feature_type, geom_point);
    const std::uint32_t geometry[] = {command(cmd_move_to, 1), zigzag(p.x), zigzag(p.y)};
    feature.add_packed_uint32(feature_geometry, std::begin(geometry), std::end(geometry));
    ++features_;
}

void layer_builder::finish() {
    if (finished_) return;
    finished_ = true;
    if (features_ == 0) {
        layer_.rollback();
        return;
    }
    // Keys in the order they were first used.
    std::vector<std::size_t> order(keys_.size(), 0);
    std::size_t used = 0;
    for (std::size_t k = 0; k < keys_.size(); ++k)
        if (key_used_[k]) order[key_index_[k]] = k, ++used;
    for (std::size_t i = 0; i < used; ++i) layer_.add_string(layer_keys, keys_[order[i]]);
    for (const std::string& v : values_) layer_.add_message(layer_values, v);
    layer_.commit();
}

std::int64_t doubled_area(std::span<const pixel> vertices) {
    std::int64_t sum = 0;
    for (std::size_t i = 0, j = vertices.size() - 1; i < vertices.size(); j = i++)
        sum += static_cast<std::int64_t>(vertices[j].x) * vertices[i].y -
               static_cast<std::int64_t>(vertices[i].x) * vertices[j].y;
    return sum;
}

namespace {
// One Sutherland–Hodgman pass against the half-plane coord(axis) >= bound (keep_greater)
// or <= bound.
void clip_pass(const std::vector<pixel>& in, int axis, std::int32_t bound, bool keep_greater, std::vector<pixel>& out) {
    out.clear();
    if (in.empty()) return;
    auto coord = [axis](const pixel& p) { return axis == 0 ? p.x : p.y; };
    auto inside = [&](const pixel& p) { return keep_greater ? coord(p) >= bound : coord(p) <= bound; };
    auto cut = [&](pixel a, pixel b) {
        if (b.x < a.x || (b.x == a.x && b.y < a.y)) std::swap(a, b);  // canonical order
        // In double: differences of far-apart int32 coordinates overflow int32 (found by fuzz_mvt).
        auto d = [](std::int32_t v) { return static_cast<double>(v); };
        double t = (d(bound) - d(coord(a))) / (d(coord(b)) - d(coord(a)));
        pixel p;
        if (axis == 0)
            p = {bound, static_cast<std::int32_t>(std::lround(d(a.y) + t * (d(b.y) - d(a.y))))};
        else
            p = {static_cast<std::int32_t>(std::lround(d(a.x) + t * (d(b.x) - d(a.x)))), bound};
        return p;
    };
    auto push = [&out](const pixel& p) {
        if (out.empty() || !(out.back() == p)) out.push_back(p);
    };
    pixel prev = in.back();
    bool prev_in = inside(prev);
    for (const pixel& cur : in) {
        bool cur_in = inside(cur);
        if (cur_in) {
            if (!prev_in) push(cut(prev, cur));
            push(cur);
        } else if (prev_in) {
            push(cut(prev, cur));
        }
        prev = cur, prev_in = cur_in;
    }
    while (out.size() > 1 && out.front() == out.back()) out.pop_back();
}
}  // namespace

void clip_ring(std::span<const pixel> vertices, std::int32_t lo, std::int32_t hi, std::vector<pixel>& out,
               std::vector<pixel>& scratch) {
    bool inside = true;
    for (const pixel& p : vertices)
        if (p.x < lo || p.x > hi || p.y < lo || p.y > hi) {
            inside = false;
            break;
        }
    out.assign(vertices.begin(), vertices.end());
    if (inside) return;
    clip_pass(out, 0, lo, true, scratch);
    clip_pass(scratch, 0, hi, false, out);
    clip_pass(out, 1, lo, true, scratch);
    clip_pass(scratch, 1, hi, false, out);
}

}  // namespace microplan::tiles
