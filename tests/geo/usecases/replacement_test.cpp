#include "microplan/geo/usecases/replacement.hpp"

#include <gtest/gtest.h>

using namespace microplan::geo;
using usecases::replacement;

TEST(Replacement, FewerThanHalfOfWhatIsStoredShrinks) {
    EXPECT_FALSE(usecases::far_fewer(0, 0));  // nothing stored: nothing to lose
    EXPECT_FALSE(usecases::far_fewer(0, 5));
    EXPECT_FALSE(usecases::far_fewer(1134, 1134));
    EXPECT_FALSE(usecases::far_fewer(1134, 567));  // exactly half: a split re-import passes
    EXPECT_TRUE(usecases::far_fewer(1134, 566));
    EXPECT_TRUE(usecases::far_fewer(1134, 1));
    EXPECT_FALSE(usecases::far_fewer(3, 2));
    EXPECT_TRUE(usecases::far_fewer(3, 1));
    EXPECT_TRUE(usecases::far_fewer(1, 0));
    EXPECT_FALSE(usecases::far_fewer(224, 221));  // cantons.geojson, then cantones_detalle.geojson.gz
    EXPECT_FALSE(usecases::far_fewer(static_cast<std::size_t>(-1), static_cast<std::size_t>(-1) / 2 + 1));
}

TEST(Replacement, EstablishmentsShrinkByRowsOrByPlacedRows) {
    replacement same_rows_none_placed{"health establishments", 1200, 1300, 1180, 0};
    EXPECT_TRUE(same_rows_none_placed.shrinks());
    replacement unplaced_registry_again{"health establishments", 3579, 3579, 0, 0};
    EXPECT_FALSE(unplaced_registry_again.shrinks());  // nothing placed is lost
    replacement registry_over_points{"education establishments", 10565, 17947, 10400, 10650};
    EXPECT_FALSE(registry_over_points.shrinks());
}

TEST(Replacement, EveryReplacementIsToldWithItsCounts) {
    replacement r{"circuits", 1134, 1};
    EXPECT_EQ(r.to_text(), "circuits: 1134 → 1 (replaced)");
    r.forced = true;
    EXPECT_EQ(r.to_text(), "circuits: 1134 → 1 (replaced with --replace)");
    EXPECT_EQ((replacement{"circuits", 0, 1134}).to_text(), "circuits: 0 → 1134 (new)");
    EXPECT_EQ((replacement{"health establishments", 40, 2, 38, 0}).to_text(),
              "health establishments: 40 → 2, placed in a unit 38 → 0 (replaced)");
}

TEST(Replacement, ShrinkingIsRefusedUnlessAllowed) {
    std::vector<replacement> changes{{"education establishments", 10, 10, 10, 10},
                                     {"health establishments", 40, 2, 38, 0}};
    try {
        usecases::check_replacements(changes, usecases::shrink_policy::refuse, {"msp.csv", "msp", {}, {}, {}},
                                     "base.sqlite");
        FAIL() << "a sector replaced by 2 rows, none placed";
    } catch (const format_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "file 'msp.csv', layer 'msp': replacement refused: health establishments: the store base.sqlite "
                  "holds 40 (38 placed in a unit), this source brings 2 (0 placed in a unit), fewer than half; "
                  "nothing was written (an import replaces all of them: pass --replace if that is meant)");
    }
    usecases::check_replacements(changes, usecases::shrink_policy::allow, {"msp.csv", "msp", {}, {}, {}},
                                 "base.sqlite");
    EXPECT_FALSE(changes[0].forced);
    EXPECT_TRUE(changes[1].forced);
}
