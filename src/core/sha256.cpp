#include "balint/core/sha256.hpp"

#include <openssl/evp.h>
#include <stdexcept>

namespace balint::core {

// Failures here mean OpenSSL cannot allocate or has no SHA-256 at all: not an expected outcome
// of any input, so they throw.
namespace {
void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string("OpenSSL SHA-256 failed: ") + what);
}
}  // namespace

void sha256::free_context::operator()(evp_md_ctx_st* ctx) const noexcept { EVP_MD_CTX_free(ctx); }

sha256::sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) throw std::runtime_error("OpenSSL SHA-256 failed: EVP_MD_CTX_new");
  check(EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex");
}

void sha256::update(std::string_view bytes) {
  check(EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()), "EVP_DigestUpdate");
}

std::array<std::uint8_t, 32> sha256::finish() {
  std::array<std::uint8_t, 32> out{};
  unsigned int length = 0;
  check(EVP_DigestFinal_ex(ctx_.get(), out.data(), &length), "EVP_DigestFinal_ex");
  if (length != out.size()) throw std::runtime_error("OpenSSL SHA-256 failed: digest length");
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  sha256 h;
  h.update(bytes);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (const auto b : h.finish()) {
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 0xf]);
  }
  return hex;
}

}  // namespace balint::core
