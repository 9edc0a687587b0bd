#include "microplan/geo/io/source.hpp"

#include "microplan/geo/core/gdal.hpp"

namespace microplan::geo {

error_location vector_layer::where(std::optional<long long> feature, std::string field) const {
    return error_location{path, name, feature, std::move(field), {}};
}

vector_layer open_layer(const std::string& path, const std::string& layer_name, const gdal::layer_need& need) {
    vector_layer out;
    out.dataset = gdal::open_vector(path);
    out.layer = &gdal::pick_layer(*out.dataset, path, layer_name, need);
    out.path = path;
    out.driver = out.dataset->GetDriver() ? out.dataset->GetDriver()->GetDescription() : "";
    out.name = out.layer->GetName();
    return out;
}

}  // namespace microplan::geo
