#include <gtest/gtest.h>

#include "microplan/geo/core/gdal.hpp"

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    microplan::geo::gdal::ensure_registered();
    return RUN_ALL_TESTS();
}
