#pragma once
// The demo generators' random numbers: our own stream, because std distributions differ
// between standard libraries and the demo must be identical on every machine.
#include <cmath>
#include <cstdint>
#include <numbers>

namespace microplan::geo::demo {

// xoshiro256** seeded by splitmix64: a portable, fully specified stream.
class random_stream {
public:
    explicit random_stream(std::uint64_t seed) {
        for (auto& s : state_) {
            seed += 0x9E3779B97F4A7C15ull;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            s = z ^ (z >> 31);
        }
    }
    std::uint64_t next() {
        auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
        std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double a, double b) { return a + (b - a) * uniform(); }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    // Box-Muller with our own uniforms.
    double normal() {
        double u1 = 1.0 - uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
    }

private:
    std::uint64_t state_[4]{};
};

}  // namespace microplan::geo::demo
