#pragma once

#include "balint/core/error.hpp"

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace balint::core {

/// Wraps an error so that `result<T>` can be built from it unambiguously (std::unexpected).
struct unexpected {
  core::error value;
};

inline unexpected fail(core::error e) { return unexpected{std::move(e)}; }

/// A value or an expected failure, with the member names of std::expected so that moving to
/// C++23 is a rename.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  result(unexpected e) : state_(std::in_place_index<1>, std::move(e.value)) {}  // NOLINT
  result(core::error e) : state_(std::in_place_index<1>, std::move(e)) {}       // NOLINT

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const core::error& error() const& {
    assert(!has_value());
    return std::get<1>(state_);
  }
  core::error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, core::error> state_;
};

/// result<void>: success or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(unexpected e) : error_(std::move(e.value)), failed_(true) {}  // NOLINT
  result(core::error e) : error_(std::move(e)), failed_(true) {}       // NOLINT

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const { assert(has_value()); }
  const core::error& error() const& {
    assert(failed_);
    return error_;
  }
  core::error&& error() && {
    assert(failed_);
    return std::move(error_);
  }

 private:
  core::error error_;
  bool failed_ = false;
};

}  // namespace balint::core
