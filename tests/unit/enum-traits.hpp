// CPPUNIT_ASSERT_EQUAL on the core's enums prints their names, so that a
// failure says what broke ("expected: RECALLED, actual: FETCHED").
#pragma once

#include <cppunit/TestAssert.h>

#include "../../src/core/recall-delivery.hpp"
#include "../../src/core/recall-state.hpp"

namespace recall::test {

inline std::string refusal_name(Refusal refusal)
{
    return refusal == Refusal::None ? "None" : refusal_code(refusal);
}

inline std::string progress_name(Progress progress)
{
    switch (progress) {
    case Progress::Delivered: return "Delivered";
    case Progress::Recalling: return "Recalling";
    case Progress::Recalled: return "Recalled";
    case Progress::Restored: return "Restored";
    }
    return "?";
}

template <typename Enum, std::string (*name)(Enum)> struct EnumTraits {
    static bool equal(Enum a, Enum b) { return a == b; }
    static std::string toString(Enum value) { return name(value); }
};

inline std::string state_text(State state) { return state_name(state); }
inline std::string result_text(Result result) { return result_name(result); }

} // namespace recall::test

namespace CppUnit {
template <>
struct assertion_traits<recall::State>
    : recall::test::EnumTraits<recall::State, recall::test::state_text> {};
template <>
struct assertion_traits<recall::Result>
    : recall::test::EnumTraits<recall::Result, recall::test::result_text> {};
template <>
struct assertion_traits<recall::Refusal>
    : recall::test::EnumTraits<recall::Refusal, recall::test::refusal_name> {};
template <>
struct assertion_traits<recall::Progress>
    : recall::test::EnumTraits<recall::Progress, recall::test::progress_name> {};
} // namespace CppUnit
