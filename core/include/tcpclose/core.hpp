// The public header of tcpclose::core: the pure TCP transition function and its vocabulary.
// Rule: everything reachable from here is constexpr, noexcept and allocation-free.
#pragma once

#include "tcpclose/classes.hpp"
#include "tcpclose/config.hpp"
#include "tcpclose/names.hpp"
#include "tcpclose/ports.hpp"
#include "tcpclose/seq.hpp"
#include "tcpclose/step.hpp"
#include "tcpclose/scenarios.hpp"
#include "tcpclose/types.hpp"
