// SPDX-License-Identifier: GPL-2.0
// Model values for the tests.
#pragma once

#include <string>

#include "model/model.hpp"

namespace diowq::test {

// A superblock of which only the id is known, as in an untune event.
inline SuperblockStatus only_id(const std::string& id) {
    SuperblockStatus sb;
    sb.id = id;
    return sb;
}

} // namespace diowq::test
