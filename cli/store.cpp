// `microplan store copy`: a store moved between its SpatiaLite file and PostgreSQL/PostGIS, both
// ways (issue 22).
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/store/store_copy.hpp"

namespace microplan::cli {

command add_store_copy(CLI::App& app) {
    auto source = std::make_shared<std::string>();
    auto destination = std::make_shared<std::string>();
    app.add_option("source", *source,
                   "Planning store: a SpatiaLite file, or a database (postgresql://USER@HOST:PORT/DB; the password "
                   "from PGPASSWORD or ~/.pgpass, never on the command line)")
        ->required()
        ->check(existing_store);
    app.add_option("destination", *destination,
                   "For a file: an empty PostgreSQL database with PostGIS available. For a database: a new "
                   "SpatiaLite file (written whole, then renamed into place)")
        ->required();
    return [source, destination] {
        const geo::store::copy_summary s = geo::store::copy_store(*source, *destination);
        std::printf("copied %zu tables, %zu rows and %zu indexes of %s into %s\n", s.tables, s.rows, s.indexes,
                    geo::postgres::redacted(*source).c_str(), geo::postgres::redacted(*destination).c_str());
        return 0;
    };
}

}  // namespace microplan::cli
