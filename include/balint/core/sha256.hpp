#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace balint::core {

/// Incremental SHA-256 (FIPS 180-4). Pure code so that domain modules (the allocation-list
/// commitment, the audit chain) can hash without a crypto library.
class sha256 {
 public:
  sha256();
  void update(std::string_view bytes);
  /// Finishes the digest; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> finish();

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;
};

/// Lower-case hexadecimal SHA-256 of `bytes` (64 characters).
std::string sha256_hex(std::string_view bytes);

}  // namespace balint::core
