#include "microplan/geo/model/names.hpp"

#include <gtest/gtest.h>

using namespace microplan::geo;

TEST(Names, FoldRemovesCaseAccentsAndPunctuation) {
    EXPECT_EQ(names::fold("Pilagüín (Pilahuín)"), "PILAGUIN PILAHUIN");
    EXPECT_EQ(names::fold("  Santa   Lucía. "), "SANTA LUCIA");
    EXPECT_EQ(names::fold("CAÑAR"), "CANAR");
    // Ñ mis-decoded as Ð in real INEC files.
    EXPECT_EQ(names::fold("LOGROÐO"), names::fold("LOGROÑO"));
    // Ó read as code page 850 becomes Ë (the codification's "UNIËN MILAGREÑA").
    EXPECT_EQ(names::fold("UNIËN MILAGREÑA"), "UNION MILAGRENA");
}

TEST(Names, TolerantMatching) {
    EXPECT_EQ(names::match_quality("RUMIÑAHUI", "Rumiñahui"), 3);
    EXPECT_EQ(names::match_quality("PILAGUIN (PILAHUIN)", "PILAHUIN"), 2);
    EXPECT_EQ(names::match_quality("GNRAL. ANTONIO ELIZALDE", "GENERAL ANTONIO ELIZALDE"), 2);
    EXPECT_EQ(names::match_quality("CRNEL. MARCELINO MARIDUEÑA", "CORONEL MARCELINO MARIDUENA"), 2);
    EXPECT_EQ(names::match_quality("SAN JOSE DE CHAMANGA (CAB. EN CHAMANGA)", "SAN JOSE DE CHAMANGA"), 2);
    EXPECT_EQ(names::match_quality("BAÑOS", "BAÑOS DE AGUA SANTA"), 1);
    EXPECT_EQ(names::match_quality("QUITO", "CUENCA"), 0);
}

TEST(Names, FieldKeys) {
    EXPECT_EQ(names::field_key("COD. DISTRITO"), "coddistrito");
    EXPECT_EQ(names::field_key("CANTÓN"), "canton");
}
