#include "microplan/geo/io/fields.hpp"

#include <gtest/gtest.h>

namespace microplan::geo {
namespace {

const error_location here{"centros.csv", "centros", {}, {}, {}};

TEST(FieldResolver, NamedFieldsMatchLooselyAndMustExist) {
    field_resolver f({"CODIGO", "Nom. Establecimiento", "x"}, here);
    EXPECT_EQ(f.named("CODIGO", "id"), 0u);
    EXPECT_EQ(f.named("nomestablecimiento", "name"), 1u);  // field_key
    EXPECT_EQ(f.named("", "capacity"), std::nullopt);      // detect
    EXPECT_EQ(f.named("-", "capacity"), std::nullopt);     // none
    try {
        f.named("cupos", "capacity");
        FAIL() << "a named field that is not there must be an error";
    } catch (const format_error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("file 'centros.csv', layer 'centros', field 'cupos': field not found"), std::string::npos)
            << m;
        EXPECT_NE(m.find("the capacity field 'cupos'"), std::string::npos) << m;
        EXPECT_NE(m.find("fields present: CODIGO, Nom. Establecimiento, x"), std::string::npos) << m;
    }
}

TEST(FieldResolver, DetectionFollowsPreferenceAndSkipsTakenFields) {
    field_resolver f({"nombre", "name", "codigo"}, here);
    EXPECT_EQ(f.detect({"name", "nombre"}), 1u);  // keys in order of preference
    EXPECT_EQ(f.detect({"name", "nombre"}), 0u);  // "name" is taken now
    EXPECT_EQ(f.detect({"name", "nombre"}), std::nullopt);
    EXPECT_EQ(f.resolve("", "id", {"cod", "codigo"}), 2u);
    EXPECT_EQ(f.resolve("-", "id", {"codigo"}), std::nullopt);
    EXPECT_EQ(f.name_of(2u), "codigo");
    EXPECT_EQ(f.name_of(std::nullopt), "");
    EXPECT_EQ(field_resolver({}, here).listing(), "none");
}

}  // namespace
}  // namespace microplan::geo
