#include "microplan/geo/usecases/establishments.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/import.hpp"
#include "support.hpp"

using namespace microplan;
using namespace microplan::test;

namespace {

// A store with one circuit near Quito.
std::string store_with_a_circuit(const scratch& dir) {
    const std::string store = dir.path("s.sqlite");
    geo::import_options o;
    o.path =
        dir.write("c.geojson",
                  feature_collection(polygon_feature(
                      R"({"code":"17D06C01"})", "[[-78.6,-0.3],[-78.4,-0.3],[-78.4,-0.1],[-78.6,-0.1],[-78.6,-0.3]]")));
    o.lvl = geo::level::circuit;
    geo::usecases::import_units(store, o);
    return store;
}

}  // namespace

TEST(UsecaseEstablishments, ImportPlacesEveryRowAndStoresItsCircuit) {
    scratch dir;
    const std::string store = store_with_a_circuit(dir);
    geo::usecases::establishment_import_request request;
    request.store = store;
    request.source.path = dir.write("upc.csv",
                                    "codigo;nombre;tipologia;longitud;latitud\n"
                                    "U1;UPC Centro;UPC;-78,5;-0,2\n"
                                    "U2;UPC Mar;UPC;-85,0;-1,3\n");
    request.source.sector = "seguridad";
    std::vector<std::string> lines;
    request.on_progress = [&](const std::string& l) { lines.push_back(l); };
    geo::usecases::placement_report r = geo::usecases::import_establishments(request);
    EXPECT_EQ(r.rows, 2u);
    EXPECT_EQ(r.summary.inside, 1u);
    EXPECT_EQ(r.summary.outside, 1u);
    EXPECT_EQ(r.driver, "CSV");
    EXPECT_EQ(lines.size(), 2u);
    auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
    auto stored = db->read_establishments();
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_EQ(stored[0].attributes.sector, "security");
    EXPECT_EQ(stored[0].code(geo::level::circuit), "17D06C01");
    EXPECT_EQ(stored[0].placement, "inside");
    EXPECT_EQ(stored[1].code(geo::level::circuit), "");
}

TEST(UsecaseEstablishments, AssignPlacesStoredRowsAgainWithASnapDistance) {
    scratch dir;
    const std::string store = store_with_a_circuit(dir);
    geo::usecases::establishment_import_request request;
    request.store = store;
    // Just outside the circuit's eastern edge (-78.4): about 110 m away.
    request.source.path = dir.write("p.csv", "id,sector,lon,lat\nA,health,-78.399,-0.2\n");
    geo::usecases::import_establishments(request);
    EXPECT_EQ(geo::usecases::assign_establishments(store).summary.outside, 1u);
    geo::usecases::placement_report r = geo::usecases::assign_establishments(store, 500);
    EXPECT_EQ(r.rows, 1u);
    EXPECT_EQ(r.summary.snapped, 1u);
    auto stored = geo::store::open_store(store, geo::store::open_mode::read_only)->read_establishments();
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].code(geo::level::circuit), "17D06C01");
    EXPECT_EQ(stored[0].placement, "snapped");
}

TEST(UsecaseEstablishments, AssignWithoutEstablishmentsOrUnitsIsAStoreError) {
    scratch dir;
    const std::string store = store_with_a_circuit(dir);
    EXPECT_THROW(geo::usecases::assign_establishments(store), geo::store_error);
    const std::string empty = dir.path("empty.sqlite");
    geo::store::update_atomically(empty, [](geo::store::planning_store& db) { db.ensure_schema("EPSG:32717"); });
    EXPECT_THROW(geo::usecases::assign_establishments(empty), geo::store_error);
}
