// Serialised feature pages are cached as tiles are (page_cache.hpp, sharded_lru.hpp): the same
// bytes and ETag for the same request, the gzip made once, the pages of a changed collection
// dropped when the store changes and the others kept, and nothing made from a replaced snapshot
// admitted afterwards.
#include "microplan/service/page_cache.hpp"

#include <cpl_vsi.h>
#include <gtest/gtest.h>

#include "microplan/geo/core/sqlite.hpp"
#include "microplan/service/request_handler.hpp"
#include "service/in_process_demo.hpp"
#include "support.hpp"

namespace microplan::service {
namespace {

http_response ok(std::string body) {
    http_response r;
    r.content_type = "application/geo+json";
    r.set_body(std::move(body));
    r.add_header("Content-Crs", "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    return r;
}

std::shared_ptr<const cached_page> page(const std::string& collection, const std::string& target, std::string body) {
    return std::make_shared<const cached_page>(collection, cached_page::key_of(collection, "http://h", target),
                                               ok(std::move(body)));
}

// gunzip through GDAL's /vsigzip/.
std::string gunzip(const std::string& gz) {
    std::string copy = gz;
    VSIFCloseL(VSIFileFromMemBuffer("/vsimem/page.gz", reinterpret_cast<GByte*>(copy.data()), copy.size(), FALSE));
    std::string plain;
    if (VSILFILE* in = VSIFOpenL("/vsigzip//vsimem/page.gz", "rb")) {
        char buf[65536];
        for (std::size_t n; (n = VSIFReadL(buf, 1, sizeof buf, in)) > 0;) plain.append(buf, n);
        VSIFCloseL(in);
    }
    VSIUnlink("/vsimem/page.gz");
    return plain;
}

constexpr auto header = &test::in_process_demo::header;

TEST(PageCache, AnswersWithTheEtagA304OrTheGzipMadeOnce) {
    auto p = page("circuits", "/collections/circuits/items", std::string(5000, 'x'));
    http_request plain;
    auto a = p->answer(plain);
    EXPECT_EQ(a.status, 200u);
    EXPECT_EQ(*a.body, std::string(5000, 'x'));
    EXPECT_EQ(header(a, "ETag"), p->etag());
    EXPECT_EQ(header(a, "Content-Crs"), "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    http_request gz;
    gz.accept_encoding = "gzip";
    auto b = p->answer(gz), c = p->answer(gz);
    EXPECT_EQ(header(b, "Content-Encoding"), "gzip");
    EXPECT_EQ(b.body.get(), c.body.get());  // compressed once, shared
    EXPECT_LT(b.body->size(), 100u);
    http_request again;
    again.if_none_match = "W/" + p->etag();
    EXPECT_EQ(p->answer(again).status, 304u);
}

TEST(PageCache, InvalidationDropsTheChangedCollectionsAndRefusesOlderPages) {
    page_cache cache(8 * 1024 * 1024);
    cache.put(page("circuits", "/a", "1"), 1);
    cache.put(page("districts", "/b", "2"), 1);
    EXPECT_TRUE(cache.get(cached_page::key_of("circuits", "http://h", "/a")));
    EXPECT_EQ(cache.invalidate({"circuits"}, 2), 1u);
    EXPECT_FALSE(cache.get(cached_page::key_of("circuits", "http://h", "/a")));
    EXPECT_TRUE(cache.get(cached_page::key_of("districts", "http://h", "/b")));
    cache.put(page("circuits", "/a", "stale"), 1);  // made from the replaced snapshot
    EXPECT_FALSE(cache.get(cached_page::key_of("circuits", "http://h", "/a")));
    cache.put(page("circuits", "/a", "fresh"), 2);
    EXPECT_TRUE(cache.get(cached_page::key_of("circuits", "http://h", "/a")));
}

TEST(PageCache, StaysWithinItsBudgetDroppingTheLeastRecentlyUsed) {
    page_cache cache(8 * 4096);  // 4 KB per shard
    for (int i = 0; i < 200; ++i) cache.put(page("c", "/" + std::to_string(i), std::string(1000, 'y')), 0);
    auto st = cache.statistics();
    EXPECT_LE(st.bytes, 8u * 4096);
    EXPECT_GT(st.entries, 0u);
    EXPECT_LT(st.entries, 200u);
    EXPECT_TRUE(cache.get(cached_page::key_of("c", "http://h", "/199")));  // the latest stays
    page_cache none(0);
    none.put(page("c", "/x", "z"), 0);
    EXPECT_FALSE(none.get(cached_page::key_of("c", "http://h", "/x")));
}

TEST(ServeStoreChanges, ItemPagesComeFromTheCacheUntilTheirCollectionChanges) {
    test::in_process_demo demo;
    auto get = [&](const std::string& target, const std::string& encoding = "") { return demo.get(target, encoding); };
    const std::string circuits = "/collections/circuits/items?limit=5", districts = "/collections/districts/items";
    auto c1 = get(circuits), d1 = get(districts);
    ASSERT_EQ(c1.status, 200u);
    auto c2 = get(circuits);
    EXPECT_EQ(c2.body.get(), c1.body.get());  // the very same bytes, not serialised again
    EXPECT_EQ(header(c2, "ETag"), header(c1, "ETag"));
    auto gz = get(circuits, "gzip, deflate");
    EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
    EXPECT_EQ(gunzip(*gz.body), *c1.body);
    EXPECT_GE(demo.state.pages().statistics().hits, 2u);
    // Another base URL, another page (its links differ).
    auto o = demo.get(circuits, "", "planning.example:80");
    EXPECT_NE(o.body->find("planning.example"), std::string::npos);

    demo.rename_circuit(demo.state.current()->find("circuits")->features.front().fid, "Circuito renombrado");
    ASSERT_TRUE(demo.watcher.check());
    auto c3 = get(circuits);
    EXPECT_NE(header(c3, "ETag"), header(c1, "ETag"));
    EXPECT_NE(c3.body->find("Circuito renombrado"), std::string::npos);
    auto d2 = get(districts);
    EXPECT_EQ(d2.body.get(), d1.body.get());  // districts did not change: still cached
}

}  // namespace
}  // namespace microplan::service
