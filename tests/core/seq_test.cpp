// Serial arithmetic on sequence numbers (RFC 1982, RFC 9293 §3.4) and the acceptance tests
// built on it. Rule: every helper is tested across the three wrap points 0, 2^31 and 2^32-1.
#include <cstdint>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

#include "fixtures.hpp"

namespace tcpclose {
namespace {

constexpr Seq kMax = 0xFFFFFFFFu;   // 2^32 - 1
constexpr Seq kHalf = 0x80000000u;  // 2^31

TEST(SeqCompare, OrdersNeighboursAndEqualValues) {
  // RFC 1982 §3.2: i1 < i2 iff the distance i2 - i1 is in (0, 2^31)
  EXPECT_TRUE(seq_lt(5, 6));
  EXPECT_FALSE(seq_lt(6, 5));
  EXPECT_FALSE(seq_lt(5, 5));
  EXPECT_TRUE(seq_le(5, 5));
  EXPECT_TRUE(seq_le(5, 6));
  EXPECT_FALSE(seq_le(6, 5));
  EXPECT_TRUE(seq_gt(6, 5));
  EXPECT_FALSE(seq_gt(5, 5));
  EXPECT_TRUE(seq_ge(5, 5));
  EXPECT_TRUE(seq_ge(6, 5));
  EXPECT_FALSE(seq_ge(5, 6));
}

TEST(SeqCompare, WrapsAtZero) {
  // RFC 9293 §3.4: sequence numbers are modulo 2^32, so 2^32-1 comes just before 0
  EXPECT_TRUE(seq_lt(kMax, 0));
  EXPECT_TRUE(seq_gt(0, kMax));
  EXPECT_TRUE(seq_le(kMax, 0));
  EXPECT_TRUE(seq_ge(0, kMax));
  EXPECT_FALSE(seq_lt(0, kMax));
  EXPECT_FALSE(seq_ge(kMax, 0));
  EXPECT_TRUE(seq_lt(kMax - 10, 10));
  EXPECT_TRUE(seq_lt(0, 1));
}

TEST(SeqCompare, WrapsAroundTwoToTheThirtyOne) {
  // RFC 1982 §3.2: the order holds for distances up to 2^31 - 1 in either direction
  EXPECT_TRUE(seq_lt(kHalf - 1, kHalf));
  EXPECT_TRUE(seq_lt(kHalf, kHalf + 1));
  EXPECT_TRUE(seq_gt(kHalf, kHalf - 1));
  EXPECT_TRUE(seq_lt(0, kHalf - 1));   // distance 2^31 - 1: still "less"
  EXPECT_FALSE(seq_gt(0, kHalf - 1));
  EXPECT_TRUE(seq_gt(0, kHalf + 1));   // distance 2^31 + 1 = -(2^31 - 1): now "greater"
  EXPECT_TRUE(seq_lt(kHalf + 1, 0));
  EXPECT_TRUE(seq_lt(kMax, kHalf - 2));  // kHalf - 2 - kMax = 2^31 - 1
}

TEST(SeqCompare, DistanceOfExactlyTwoToTheThirtyOneIsLessBothWays) {
  // RFC 1982 §3.2 leaves i1 + 2^31 undefined; this implementation calls each "less" than the
  // other, which is why callers must keep numbers within 2^31 of each other
  EXPECT_TRUE(seq_lt(0, kHalf));
  EXPECT_TRUE(seq_lt(kHalf, 0));
  EXPECT_TRUE(seq_lt(kMax, kHalf - 1));
  EXPECT_TRUE(seq_lt(kHalf - 1, kMax));
}

TEST(SeqInWindow, IncludesTheLeftEdgeAndExcludesTheRightEdge) {
  // RFC 9293 §3.4: RCV.NXT =< x < RCV.NXT + RCV.WND
  EXPECT_TRUE(seq_in_window(100, 100, 10));
  EXPECT_TRUE(seq_in_window(109, 100, 10));
  EXPECT_FALSE(seq_in_window(110, 100, 10));
  EXPECT_FALSE(seq_in_window(99, 100, 10));
  EXPECT_FALSE(seq_in_window(100, 100, 0));  // an empty window holds nothing
}

TEST(SeqInWindow, WrapsAtTwoToTheThirtyTwo) {
  // RFC 9293 §3.4: the window [2^32-6, 2^32+4) spans the wrap
  EXPECT_TRUE(seq_in_window(kMax - 5, kMax - 5, 10));
  EXPECT_TRUE(seq_in_window(kMax, kMax - 5, 10));
  EXPECT_TRUE(seq_in_window(0, kMax - 5, 10));
  EXPECT_TRUE(seq_in_window(3, kMax - 5, 10));
  EXPECT_FALSE(seq_in_window(4, kMax - 5, 10));
  EXPECT_FALSE(seq_in_window(kMax - 6, kMax - 5, 10));
}

TEST(SeqInWindow, IsExactForWindowsOfTwoToTheThirtyOneAndMore) {
  // lo <= x < lo + len as one unsigned distance: exact for every len < 2^32
  EXPECT_TRUE(seq_in_window(kHalf - 1, 0, kHalf));
  EXPECT_FALSE(seq_in_window(kHalf, 0, kHalf));
  EXPECT_TRUE(seq_in_window(kMax - 1, 0, kMax));
  EXPECT_FALSE(seq_in_window(kMax, 0, kMax));
  EXPECT_TRUE(seq_in_window(kHalf + 5, kHalf, kMax));
  EXPECT_FALSE(seq_in_window(kHalf - 1, kHalf, kMax));
}

TEST(SegmentAcceptable, ZeroLengthZeroWindowAcceptsOnlyRcvNxt) {
  // RFC 9293 §3.4 Table 6 row 1: SEG.LEN = 0, RCV.WND = 0: SEG.SEQ = RCV.NXT
  EXPECT_TRUE(segment_acceptable(500, 0, 500, 0));
  EXPECT_FALSE(segment_acceptable(501, 0, 500, 0));
  EXPECT_FALSE(segment_acceptable(499, 0, 500, 0));
  EXPECT_TRUE(segment_acceptable(0, 0, 0, 0));
  EXPECT_FALSE(segment_acceptable(kMax, 0, 0, 0));
}

TEST(SegmentAcceptable, ZeroLengthOpenWindowAcceptsTheWindow) {
  // RFC 9293 §3.4 Table 6 row 2: SEG.LEN = 0, RCV.WND > 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
  EXPECT_TRUE(segment_acceptable(500, 0, 500, 10));
  EXPECT_TRUE(segment_acceptable(509, 0, 500, 10));
  EXPECT_FALSE(segment_acceptable(510, 0, 500, 10));
  EXPECT_FALSE(segment_acceptable(499, 0, 500, 10));
  // across 2^32 - 1
  EXPECT_TRUE(segment_acceptable(kMax, 0, kMax, 10));
  EXPECT_TRUE(segment_acceptable(8, 0, kMax, 10));
  EXPECT_FALSE(segment_acceptable(9, 0, kMax, 10));
  EXPECT_FALSE(segment_acceptable(kMax - 1, 0, kMax, 10));
}

TEST(SegmentAcceptable, PayloadIntoAZeroWindowIsNeverAcceptable) {
  // RFC 9293 §3.4 Table 6 row 3: SEG.LEN > 0, RCV.WND = 0: not acceptable
  EXPECT_FALSE(segment_acceptable(500, 1, 500, 0));
  EXPECT_FALSE(segment_acceptable(499, 2, 500, 0));
  EXPECT_FALSE(segment_acceptable(0, 100, 0, 0));
}

TEST(SegmentAcceptable, PayloadIsAcceptableWhenItsFirstOrLastOctetIsInTheWindow) {
  // RFC 9293 §3.4 Table 6 row 4: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, or
  // RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
  EXPECT_TRUE(segment_acceptable(500, 1, 500, 10));     // first octet at the left edge
  EXPECT_TRUE(segment_acceptable(509, 5, 500, 10));     // first octet at the right edge
  EXPECT_FALSE(segment_acceptable(510, 5, 500, 10));    // starts beyond the window
  EXPECT_FALSE(segment_acceptable(499, 1, 500, 10));    // last octet just left of the window
  EXPECT_TRUE(segment_acceptable(499, 2, 500, 10));     // last octet at the left edge
  // Table 6 tests only the two ends, so a segment that covers the whole window with both
  // ends outside it is, to the letter, not acceptable
  EXPECT_FALSE(segment_acceptable(400, 200, 500, 10));
  EXPECT_TRUE(segment_acceptable(400, 101, 500, 10));   // last octet at RCV.NXT
  // across 2^32 - 1: [2^32-2, 2^32) ends at RCV.NXT = 2^32 - 1
  EXPECT_TRUE(segment_acceptable(kMax - 1, 2, kMax, 10));
  EXPECT_FALSE(segment_acceptable(kMax - 1, 1, kMax, 10));
  EXPECT_TRUE(segment_acceptable(kMax - 5, 10, 0, 10));  // wraps into the window at 0
  EXPECT_FALSE(segment_acceptable(kMax - 5, 6, 0, 10));  // ends at 2^32 - 1, just short
}

TEST(SegmentAcceptable, WindowsAroundTwoToTheThirtyOne) {
  // RFC 9293 §3.4 Table 6 at RCV.NXT = 2^31
  EXPECT_TRUE(segment_acceptable(kHalf, 0, kHalf, 1));
  EXPECT_FALSE(segment_acceptable(kHalf + 1, 0, kHalf, 1));
  EXPECT_FALSE(segment_acceptable(kHalf - 1, 1, kHalf, 1));
  EXPECT_TRUE(segment_acceptable(kHalf - 1, 2, kHalf, 1));
}

TEST(AckAcceptable, AcceptsOnlyUnaExclusiveToNxtInclusive) {
  // RFC 9293 §3.10.7.4 fifth check: SND.UNA < SEG.ACK =< SND.NXT
  EXPECT_FALSE(ack_acceptable(100, 100, 110));
  EXPECT_TRUE(ack_acceptable(101, 100, 110));
  EXPECT_TRUE(ack_acceptable(110, 100, 110));
  EXPECT_FALSE(ack_acceptable(111, 100, 110));
  EXPECT_FALSE(ack_acceptable(99, 100, 110));
  EXPECT_FALSE(ack_acceptable(100, 100, 100));  // nothing outstanding: nothing acceptable
}

TEST(AckAcceptable, WrapsAtZeroAndAtTwoToTheThirtyOne) {
  // RFC 9293 §3.10.7.4 fifth check, modulo 2^32
  EXPECT_TRUE(ack_acceptable(kMax, kMax - 1, 1));
  EXPECT_TRUE(ack_acceptable(0, kMax - 1, 1));
  EXPECT_TRUE(ack_acceptable(1, kMax - 1, 1));
  EXPECT_FALSE(ack_acceptable(2, kMax - 1, 1));
  EXPECT_FALSE(ack_acceptable(kMax - 1, kMax - 1, 1));
  EXPECT_TRUE(ack_acceptable(kHalf, kHalf - 1, kHalf + 1));
  EXPECT_FALSE(ack_acceptable(kHalf + 2, kHalf - 1, kHalf + 1));
}

TEST(PawsRejects, RejectsOnlyAnOlderTsval) {
  // RFC 7323 §5.3 R1: reject when SEG.TSval < TS.Recent (serially)
  EXPECT_TRUE(paws_rejects(99, 100));
  EXPECT_FALSE(paws_rejects(100, 100));  // equal is not older
  EXPECT_FALSE(paws_rejects(101, 100));
}

TEST(PawsRejects, ComparesTimestampsSerially) {
  // RFC 7323 §5.2: timestamps are compared modulo 2^32 like sequence numbers
  EXPECT_FALSE(paws_rejects(0, kMax));  // the clock wrapped: 0 is newer than 2^32-1
  EXPECT_TRUE(paws_rejects(kMax, 0));
  EXPECT_TRUE(paws_rejects(kHalf - 1, kHalf));
  EXPECT_FALSE(paws_rejects(kHalf + 1, kHalf));
  EXPECT_FALSE(paws_rejects(kHalf - 2, kMax));  // 2^31 - 1 ticks newer
}

}  // namespace
}  // namespace tcpclose
