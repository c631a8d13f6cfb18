// Transactions shared by both backends: nesting as savepoints around the backend's own
// outermost transaction (docs/architecture.md, "Write serialization").
#include "sql_repositories.hpp"

#include <string>

namespace balint::storage {

void sql_repositories::begin_transaction(bool write) {
  if (depth_ > 0) {
    check_still_open();
    statements().savepoint("nested_" + std::to_string(depth_));
    ++depth_;
    return;
  }
  forget_reads();
  begin_outer(write);
  depth_ = 1;
}

void sql_repositories::commit() {
  if (depth_ > 1) {
    check_still_open();
    statements().release("nested_" + std::to_string(depth_ - 1));
    --depth_;
    return;
  }
  forget_reads();
  commit_outer();
  depth_ = 0;
}

void sql_repositories::rollback() noexcept {
  forget_reads();
  if (depth_ > 1 && in_transaction()) {
    statements().rollback_to("nested_" + std::to_string(depth_ - 1));
    --depth_;
    return;
  }
  // The outermost transaction, or one the backend has already ended: nothing stays open.
  rollback_outer();
  depth_ = 0;
}

}  // namespace balint::storage
