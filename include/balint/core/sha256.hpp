#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace balint::core {

/// Incremental SHA-256 (FIPS 180-4), computed by OpenSSL's EVP interface. Domain modules (the
/// allocation-list commitment, the audit chain) hash through this class and `sha256_hex` only.
class sha256 {
 public:
  sha256();
  void update(std::string_view bytes);
  /// Finishes the digest; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> finish();

 private:
  struct free_context {
    void operator()(evp_md_ctx_st* ctx) const noexcept;
  };
  std::unique_ptr<evp_md_ctx_st, free_context> ctx_;
};

/// Lower-case hexadecimal SHA-256 of `bytes` (64 characters).
std::string sha256_hex(std::string_view bytes);

}  // namespace balint::core
