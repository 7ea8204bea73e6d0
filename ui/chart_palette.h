#pragma once

#include <QColor>

// The charts' one palette (Tableau 10, which is built so that neighbouring
// hues stay apart in colour and lightness). Close reasons are not here: their
// colours are the rgb column of core/pool/close_reason.h's table.
namespace poolscope::chart_palette {

inline constexpr QRgb kBlue = 0xff1f77b4;
inline constexpr QRgb kOrange = 0xffff7f0e;
inline constexpr QRgb kGreen = 0xff2ca02c;
inline constexpr QRgb kRed = 0xffd62728;
inline constexpr QRgb kPurple = 0xff9467bd;
inline constexpr QRgb kBrown = 0xff8c564b;
inline constexpr QRgb kPink = 0xffe377c2;
inline constexpr QRgb kGrey = 0xff7f7f7f;
inline constexpr QRgb kCyan = 0xff17becf;
inline constexpr QRgb kInk = 0xff1a1a1a; // limits and totals drawn over everything else

// Configuration markers: not a data colour.
inline constexpr QRgb kMarker = 0xff6a1b9a;
inline constexpr QRgb kMarkerText = 0xff4a148c;

} // namespace poolscope::chart_palette
