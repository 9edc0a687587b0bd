// `microplan store copy`: a store moved from its SpatiaLite file into PostgreSQL/PostGIS (issue 22).
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/store/store_copy.hpp"

namespace microplan::cli {

command add_store_copy(CLI::App& app) {
    auto source = std::make_shared<std::string>();
    auto destination = std::make_shared<std::string>();
    app.add_option("source", *source, "Planning store (SpatiaLite file)")->required()->check(CLI::ExistingFile);
    app.add_option("destination", *destination,
                   "An empty PostgreSQL database with PostGIS available (postgresql://USER@HOST:PORT/DB; the password "
                   "from PGPASSWORD or ~/.pgpass, never on the command line)")
        ->required();
    return [source, destination] {
        const geo::store::copy_summary s = geo::store::copy_store(*source, *destination);
        std::printf("copied %zu tables, %zu rows and %zu indexes of %s into %s\n", s.tables, s.rows, s.indexes,
                    source->c_str(), geo::postgres::redacted(*destination).c_str());
        return 0;
    };
}

}  // namespace microplan::cli
